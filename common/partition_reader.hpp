#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/topic_partition.hpp"

namespace RdKafka {
class KafkaConsumer;
}

namespace switchboard {

/// The offsets a partition holds now: `low` is the first record kept, `high` the next to be
/// written (the end).
struct Watermarks {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

/// Reads partitions it assigns itself, from offsets it is given: it never joins a consumer group
/// and never commits, so a live group's members and offsets are untouched (replay, lag, dead
/// letters). Also answers the broker questions those need. One thread at a time.
class PartitionReader final {
 public:
  /// Throws ConfigError when librdkafka refuses the configuration.
  PartitionReader(const std::string& brokers, const std::string& client_id);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  /// The partitions of `topic`; an Error when the topic does not exist or the broker is silent.
  Result<std::vector<std::int32_t>> Partitions(const std::string& topic,
                                               std::chrono::milliseconds timeout);
  /// Every topic on the cluster (internal ones, e.g. __consumer_offsets, left out).
  Result<std::vector<std::string>> Topics(std::chrono::milliseconds timeout);
  /// Low and high watermark of each of `partitions`, in the order given: two requests to each
  /// partition's leader (earliest and latest offsets), whatever the number of partitions.
  Result<std::vector<Watermarks>> QueryWatermarks(const std::vector<TopicPartition>& partitions,
                                                  std::chrono::milliseconds timeout);
  /// For each partition, the offset of its first record with a timestamp at or after `unix_ms`
  /// (its end when there is none), in the order given.
  Result<std::vector<std::int64_t>> OffsetsForTime(const std::vector<TopicPartition>& partitions,
                                                   std::int64_t unix_ms,
                                                   std::chrono::milliseconds timeout);
  /// Reads `positions` from their offsets (replacing what was assigned before).
  std::optional<Error> Assign(const std::vector<TopicPartitionOffset>& positions);
  /// Stops fetching `partition` (until the next Assign); records already fetched may still come.
  void Pause(const TopicPartition& partition);
  /// Waits up to `timeout` for one record; nullopt when none came, an Error for a consumer error
  /// (a partition's end is not one: the reader does not report it).
  Result<std::optional<ConsumedRecord>> Poll(std::chrono::milliseconds timeout);

  /// The librdkafka handle, for the admin API calls (workers/admin/consumer_groups.cpp).
  RdKafka::KafkaConsumer& Handle() { return *consumer_; }

  /// librdkafka's last error on this reader's connections (a refused password, a certificate
  /// that does not verify, brokers down); "" when none. Says why a request timed out.
  std::string LastBrokerError() const;

 private:
  class Events;
  /// Kafka's ListOffsets for each partition at `timestamp` (or -2 earliest, -1 latest).
  Result<std::vector<std::int64_t>> ListOffsets(const std::vector<TopicPartition>& partitions,
                                                std::int64_t timestamp,
                                                std::chrono::milliseconds timeout);

  std::unique_ptr<Events> events_;  // before the consumer, which calls it until destroyed
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

}  // namespace switchboard
