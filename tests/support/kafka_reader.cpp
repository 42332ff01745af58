#include "tests/support/kafka_reader.hpp"

#include <doctest/doctest.h>
#include <librdkafka/rdkafkacpp.h>

#include <cstdlib>
#include <stdexcept>

#include "common/kafka_conf.hpp"

namespace switchboard::testing {

namespace {

std::unique_ptr<RdKafka::KafkaConsumer> NewConsumer(const std::string& brokers,
                                                    const std::string& group) {
  auto conf = NewKafkaConf(brokers, "switchboard-test");
  SetKafkaConf(*conf, "group.id", group);
  SetKafkaConf(*conf, "enable.auto.commit", "false");
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error("test consumer: " + error);
  return consumer;
}

/// The current end of every partition of `topic` (the caller destroys the list).
std::vector<RdKafka::TopicPartition*> EndOffsets(RdKafka::KafkaConsumer& consumer,
                                                 const std::string& topic) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&consumer, topic, nullptr, error));
  RdKafka::Metadata* raw = nullptr;
  if (consumer.metadata(false, handle.get(), &raw, 10000) != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("no metadata for topic " + topic);
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto* partition : *metadata->topics()->at(0)->partitions()) {
    int64_t low = 0;
    int64_t high = 0;
    if (consumer.query_watermark_offsets(topic, partition->id(), &low, &high, 10000) !=
        RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(offsets);
      throw std::runtime_error("no watermarks for topic " + topic);
    }
    offsets.push_back(RdKafka::TopicPartition::create(topic, partition->id(), high));
  }
  return offsets;
}

}  // namespace

struct TopicReader::State {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::vector<ConsumedRecord> records;
};

TopicReader::TopicReader(const std::string& brokers, const std::string& topic)
    : state_(std::make_unique<State>()) {
  // group.id is required, but the reader never joins the group: it assigns partitions itself.
  state_->consumer = NewConsumer(brokers, "switchboard-test-reader");
  auto assignment = EndOffsets(*state_->consumer, topic);
  state_->consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
}

TopicReader::~TopicReader() {
  state_->consumer->close();
}

std::vector<ConsumedRecord> TopicReader::ReadAtLeast(std::size_t count,
                                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (state_->records.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(state_->consumer->consume(100));
    if (!message || message->err() != RdKafka::ERR_NO_ERROR) continue;
    ConsumedRecord record;
    record.topic = message->topic_name();
    record.partition = message->partition();
    record.offset = message->offset();
    if (message->key()) record.key = *message->key();
    record.value.assign(static_cast<const char*>(message->payload()), message->len());
    if (const RdKafka::Headers* headers = message->headers()) {
      for (const auto& header : headers->get_all()) {
        record.headers.push_back(
            {header.key(),
             std::string(static_cast<const char*>(header.value()), header.value_size())});
      }
    }
    state_->records.push_back(std::move(record));
  }
  return state_->records;
}

void StartGroupAtEnd(const std::string& brokers, const std::string& group,
                     const std::vector<std::string>& topics) {
  auto consumer = NewConsumer(brokers, group);
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& topic : topics) {
    auto ends = EndOffsets(*consumer, topic);
    offsets.insert(offsets.end(), ends.begin(), ends.end());
  }
  const auto code = consumer->commitSync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  consumer->close();
  if (code != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("committing offsets of " + group + ": " + RdKafka::err2str(code));
  }
}

std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    FAIL(std::string(name)
         << " is not set: integration tests run under tests/run, which starts Kafka and "
            "PostgreSQL and exports it");
  }
  return value;
}

}  // namespace switchboard::testing
