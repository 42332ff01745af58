#include "common/partition_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <mutex>

#include "common/log.hpp"

#include "common/config.hpp"
#include "common/kafka_conf.hpp"

namespace switchboard {
namespace {

Error KafkaError(const std::string& what, RdKafka::ErrorCode code) {
  return Error{what + ": " + RdKafka::err2str(code), true};
}

}  // namespace

/// Keeps the last error librdkafka reports and writes its warnings to the log, as the consumers do.
class PartitionReader::Events final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    try {
      // Log lines come from librdkafka's own threads at once (error events only when polled):
      // an error among them is the answer to "why did nothing answer".
      const bool log = event.type() == RdKafka::Event::EVENT_LOG;
      if (event.type() == RdKafka::Event::EVENT_ERROR ||
          (log && event.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR)) {
        const std::lock_guard lock(mutex_);
        last_error_ = event.str();
      }
      if (log && event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
        Log(LogLevel::kWarning, "librdkafka",
            {{"facility", event.fac()}, {"message", event.str()}});
      }
    } catch (...) {
      // Nothing may leave a librdkafka callback.
    }
  }

  std::string LastError() const {
    const std::lock_guard lock(mutex_);
    return last_error_;
  }

 private:
  mutable std::mutex mutex_;
  std::string last_error_;
};

PartitionReader::PartitionReader(const std::string& brokers, const std::string& client_id)
    : events_(std::make_unique<Events>()) {
  auto conf = NewKafkaConf(brokers, client_id);
  std::string set_error;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(events_.get()), set_error) !=
      RdKafka::Conf::CONF_OK) {
    throw ConfigError("Kafka reader: " + set_error);
  }
  // librdkafka's KafkaConsumer wants a group id even when it only assigns; this one is never
  // joined (no subscribe) and never committed to (no auto-commit, no offset store), so the
  // broker never lists it.
  SetKafkaConf(*conf, "group.id", client_id + "-" + std::to_string(::getpid()));
  SetKafkaConf(*conf, "enable.auto.commit", "false");
  SetKafkaConf(*conf, "enable.auto.offset.store", "false");
  // An offset that retention already deleted reads from the first record still kept.
  SetKafkaConf(*conf, "auto.offset.reset", "earliest");
  SetKafkaConf(*conf, "enable.partition.eof", "false");
  // The reader re-assigns often (lag reads one record at each committed offset): a fetch that
  // finds nothing new should not hold the next assignment up for the default 500 ms.
  SetKafkaConf(*conf, "fetch.wait.max.ms", "10");
  std::string error;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer_) throw ConfigError("Kafka reader: " + error);
}

PartitionReader::~PartitionReader() {
  if (consumer_) consumer_->close();
}

std::string PartitionReader::LastBrokerError() const {
  return events_->LastError();
}

Result<std::vector<std::int32_t>> PartitionReader::Partitions(const std::string& topic,
                                                              std::chrono::milliseconds timeout) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer_.get(), topic, nullptr, error));
  if (!handle) return Error{"topic " + topic + ": " + error, false};
  RdKafka::Metadata* raw = nullptr;
  const auto code =
      consumer_->metadata(false, handle.get(), &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) return KafkaError("metadata of topic " + topic, code);
  if (metadata->topics()->empty()) return Error{"topic " + topic + " does not exist", false};
  const RdKafka::TopicMetadata* found = metadata->topics()->at(0);
  if (found->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) {
    return Error{"topic " + topic + " does not exist", false};
  }
  if (found->err() != RdKafka::ERR_NO_ERROR) {
    return KafkaError("metadata of topic " + topic, found->err());
  }
  std::vector<std::int32_t> partitions;
  for (const RdKafka::PartitionMetadata* partition : *found->partitions()) {
    partitions.push_back(partition->id());
  }
  std::sort(partitions.begin(), partitions.end());
  return partitions;
}

Result<std::vector<std::string>> PartitionReader::Topics(std::chrono::milliseconds timeout) {
  RdKafka::Metadata* raw = nullptr;
  const auto code = consumer_->metadata(true, nullptr, &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) return KafkaError("cluster metadata", code);
  std::vector<std::string> topics;
  for (const RdKafka::TopicMetadata* topic : *metadata->topics()) {
    if (!topic->topic().starts_with("__")) topics.push_back(topic->topic());
  }
  std::sort(topics.begin(), topics.end());
  return topics;
}

namespace {

/// Kafka's ListOffsets "timestamps" that ask for a partition's first and next offset.
constexpr std::int64_t kEarliest = -2;
constexpr std::int64_t kLatest = -1;

}  // namespace

Result<std::vector<std::int64_t>> PartitionReader::ListOffsets(
    const std::vector<TopicPartition>& partitions, std::int64_t timestamp,
    std::chrono::milliseconds timeout) {
  std::vector<RdKafka::TopicPartition*> query;
  for (const TopicPartition& partition : partitions) {
    query.push_back(
        RdKafka::TopicPartition::create(partition.topic, partition.partition, timestamp));
  }
  const auto code = consumer_->offsetsForTimes(query, static_cast<int>(timeout.count()));
  std::vector<std::int64_t> offsets;
  std::optional<Error> failure;
  if (code != RdKafka::ERR_NO_ERROR) failure = KafkaError("list offsets", code);
  for (std::size_t i = 0; i < query.size() && !failure; ++i) {
    if (query[i]->err() != RdKafka::ERR_NO_ERROR) {
      failure = KafkaError(
          "offsets of " + partitions[i].topic + "/" + std::to_string(partitions[i].partition),
          query[i]->err());
    }
    offsets.push_back(query[i]->offset());
  }
  RdKafka::TopicPartition::destroy(query);
  if (failure) return *failure;
  return offsets;
}

Result<std::vector<Watermarks>> PartitionReader::QueryWatermarks(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) {
  std::vector<Watermarks> marks(partitions.size());
  if (partitions.empty()) return marks;
  const auto lows = ListOffsets(partitions, kEarliest, timeout);
  if (!lows.ok()) return lows.error();
  const auto highs = ListOffsets(partitions, kLatest, timeout);
  if (!highs.ok()) return highs.error();
  for (std::size_t i = 0; i < partitions.size(); ++i) marks[i] = {(*lows)[i], (*highs)[i]};
  return marks;
}

Result<std::vector<std::int64_t>> PartitionReader::OffsetsForTime(
    const std::vector<TopicPartition>& partitions, std::int64_t unix_ms,
    std::chrono::milliseconds timeout) {
  if (unix_ms < 0) return Error{"a time before 1970 has no offset", false};
  auto offsets = ListOffsets(partitions, unix_ms, timeout);
  if (!offsets.ok()) return offsets;
  // No record that late: the partition's end.
  std::vector<TopicPartition> past_end;
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    if ((*offsets)[i] < 0) past_end.push_back(partitions[i]);
  }
  if (past_end.empty()) return offsets;
  const auto ends = ListOffsets(past_end, kLatest, timeout);
  if (!ends.ok()) return ends.error();
  std::vector<std::int64_t>& found = offsets.value();
  for (std::size_t i = 0, next = 0; i < found.size(); ++i) {
    if (found[i] < 0) found[i] = (*ends)[next++];
  }
  return offsets;
}

void PartitionReader::Pause(const TopicPartition& partition) {
  std::vector<RdKafka::TopicPartition*> paused{
      RdKafka::TopicPartition::create(partition.topic, partition.partition)};
  consumer_->pause(paused);
  RdKafka::TopicPartition::destroy(paused);
}

std::optional<Error> PartitionReader::Assign(const std::vector<TopicPartitionOffset>& positions) {
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const TopicPartitionOffset& position : positions) {
    assignment.push_back(RdKafka::TopicPartition::create(
        position.partition.topic, position.partition.partition, position.offset));
  }
  auto code = consumer_->assign(assignment);
  // A partition paused before stays paused when assigned again: resume what is assigned now.
  if (code == RdKafka::ERR_NO_ERROR && !assignment.empty()) code = consumer_->resume(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) return KafkaError("assign", code);
  return std::nullopt;
}

Result<std::optional<ConsumedRecord>> PartitionReader::Poll(std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(timeout.count())));
  switch (message->err()) {
    case RdKafka::ERR_NO_ERROR:
      return std::optional<ConsumedRecord>(ToConsumedRecord(*message));
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF:
      return std::optional<ConsumedRecord>();
    default:
      return KafkaError("consume", message->err());
  }
}

}  // namespace switchboard
