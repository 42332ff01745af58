#include "common/kafka_topics.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "common/dead_letter.hpp"
#include "common/json.hpp"
#include "common/kafka_conf.hpp"

namespace switchboard {
namespace {

TopicSpec ReadSpec(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const auto schema = json::Parse(text.str());
  if (!schema || !schema->IsObject()) {
    throw std::runtime_error(file.string() + ": not a JSON object");
  }
  const json::Value* kafka = json::Find(*schema, "x-kafka");
  if (kafka == nullptr || !kafka->IsObject()) {
    throw std::runtime_error(file.string() + ": no x-kafka object");
  }
  const auto topic = json::String(*kafka, "topic");
  const auto partitions = json::Int(*kafka, "partitions");
  const auto retention_ms = json::Int(*kafka, "retention_ms");
  if (!topic || !partitions || !retention_ms) {
    throw std::runtime_error(file.string() +
                             ": x-kafka needs topic (string), partitions and retention_ms");
  }
  return {*topic, static_cast<int>(*partitions), *retention_ms};
}

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

}  // namespace

std::vector<TopicSpec> TopicsFromSchemas(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().string().ends_with(".schema.json")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<TopicSpec> topics;
  std::optional<TopicSpec> dead_letter;
  for (const auto& file : files) {
    TopicSpec spec = ReadSpec(file);
    if (spec.name == DeadLetterTopic("<topic>")) {  // the dead-letter schema: every topic's
      dead_letter = spec;
    } else {
      topics.push_back(spec);
    }
  }
  if (!dead_letter) throw std::runtime_error(dir.string() + ": no dead-letter schema");
  const std::size_t count = topics.size();
  for (std::size_t i = 0; i < count; ++i) {
    topics.push_back(
        {DeadLetterTopic(topics[i].name), dead_letter->partitions, dead_letter->retention_ms});
  }
  return topics;
}

std::pair<int, int> ReplicationFor(const TopicReplication& replication, int brokers) {
  const int factor = replication.factor.value_or(std::clamp(brokers, 1, 3));
  return {factor, replication.min_insync.value_or(std::max(1, factor - 1))};
}

std::vector<std::string> CreateTopics(const std::string& brokers,
                                      const std::vector<TopicSpec>& topics,
                                      const TopicReplication& replication,
                                      std::chrono::milliseconds timeout) {
  char error[512];
  // The process's client settings (security included), as every client's.
  const std::unique_ptr<RdKafka::Conf> settings = NewKafkaConf(brokers, "switchboard-admin");
  rd_kafka_conf_t* conf = rd_kafka_conf_dup(settings->c_ptr_global());
  // rd_kafka_new takes the configuration only when it succeeds.
  std::unique_ptr<rd_kafka_t, KafkaHandleDeleter> handle(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error));
  if (!handle) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("kafka admin client: ") + error);
  }

  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t listed =
      rd_kafka_metadata(handle.get(), 0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (listed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("cluster metadata: ") + rd_kafka_err2str(listed));
  }
  const auto [factor, min_insync] = ReplicationFor(replication, metadata->broker_cnt);
  rd_kafka_metadata_destroy(metadata);

  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const TopicSpec& topic : topics) {
    rd_kafka_NewTopic_t* request =
        rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, factor, error, sizeof error);
    if (request == nullptr) {
      rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
      throw std::runtime_error(topic.name + ": " + error);
    }
    rd_kafka_NewTopic_set_config(request, "retention.ms",
                                 std::to_string(topic.retention_ms).c_str());
    rd_kafka_NewTopic_set_config(request, "min.insync.replicas",
                                 std::to_string(min_insync).c_str());
    requests.push_back(request);
  }
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle.get()));
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(handle.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), error,
                                              sizeof error);
  rd_kafka_CreateTopics(handle.get(), requests.data(), requests.size(), options, queue.get());
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());

  std::unique_ptr<rd_kafka_event_t, EventDeleter> event(
      rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000));
  if (!event) throw std::runtime_error("no answer from the broker to CreateTopics");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("CreateTopics: ") +
                             rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  std::vector<std::string> created;
  for (std::size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
    const std::string name = rd_kafka_topic_result_name(results[i]);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
      created.push_back(name);
    } else if (code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* message = rd_kafka_topic_result_error_string(results[i]);
      throw std::runtime_error(name + ": " + (message ? message : rd_kafka_err2str(code)));
    }
  }
  return created;
}

}  // namespace switchboard
