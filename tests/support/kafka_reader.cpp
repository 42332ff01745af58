#include "tests/support/kafka_reader.hpp"

#include <doctest/doctest.h>
#include <librdkafka/rdkafkacpp.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>

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

/// The current end of every partition of `topic` (the caller destroys the list). Retries for a
/// while: a broker that has just (re)started answers before it has elected partition leaders.
std::vector<RdKafka::TopicPartition*> EndOffsets(RdKafka::KafkaConsumer& consumer,
                                                 const std::string& topic) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&consumer, topic, nullptr, error));
  while (true) {
    std::string failure;
    RdKafka::Metadata* raw = nullptr;
    const auto code = consumer.metadata(false, handle.get(), &raw, 10000);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    std::vector<RdKafka::TopicPartition*> offsets;
    if (code != RdKafka::ERR_NO_ERROR || metadata->topics()->empty() ||
        metadata->topics()->at(0)->err() != RdKafka::ERR_NO_ERROR) {
      failure = "no metadata for topic " + topic;
    } else {
      for (const auto* partition : *metadata->topics()->at(0)->partitions()) {
        int64_t low = 0;
        int64_t high = 0;
        const auto queried =
            consumer.query_watermark_offsets(topic, partition->id(), &low, &high, 10000);
        if (queried != RdKafka::ERR_NO_ERROR) {
          failure = "no watermarks for topic " + topic + ": " + RdKafka::err2str(queried);
          break;
        }
        offsets.push_back(RdKafka::TopicPartition::create(topic, partition->id(), high));
      }
    }
    if (failure.empty()) return offsets;
    RdKafka::TopicPartition::destroy(offsets);
    if (std::chrono::steady_clock::now() >= deadline) throw std::runtime_error(failure);
    std::this_thread::sleep_for(200ms);
  }
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
