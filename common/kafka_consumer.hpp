#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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

/// A group member that reads records and commits explicit offsets only (no auto-commit, no
/// offset store): the at-least-once consumer of librdkafka's INTRODUCTION.md. Every method
/// except Ready(), Lags() and Assignment() must be called from one thread, the polling one.
class KafkaConsumer final {
 public:
  struct Options {
    std::string brokers;
    std::string group_id;
    std::string client_id = "switchboard";
    std::vector<std::string> topics;
    /// Eager "roundrobin" by default; "cooperative-sticky" is handled too (incremental assign).
    std::string assignment_strategy = "roundrobin";
    std::chrono::milliseconds session_timeout{45000};
    std::chrono::milliseconds max_poll_interval{300000};
    /// How often librdkafka reports statistics (lag, group state); 0 turns them off.
    std::chrono::milliseconds statistics_interval{5000};
    /// librdkafka debug contexts (e.g. "cgrp,fetch"); their lines are logged. Empty: off.
    std::string debug;
    /// Where a partition without a committed offset starts: "earliest" (a stage must see every
    /// record) or "latest" (a listener that only cares about answers to its own requests).
    std::string offset_reset = "earliest";
  };

  /// What the owner does when the group moves partitions. Both run on the polling thread from
  /// inside Poll() or Close(); exceptions they throw are logged and swallowed.
  struct RebalanceListener {
    /// Runs after `partitions` were assigned; may call Pause().
    std::function<void(const std::vector<TopicPartition>& partitions)> assigned;
    /// Runs before `partitions` are taken away; may call Commit() unless `lost` (the group
    /// already gave them to another member, so a commit would be refused).
    std::function<void(const std::vector<TopicPartition>& partitions, bool lost)> revoked;
  };

  /// How far a partition's committed offset is behind its high watermark.
  struct PartitionLag {
    TopicPartition partition;
    std::int64_t lag = 0;
  };

  /// Creates the consumer and subscribes to `options.topics`. Throws ConfigError when
  /// librdkafka refuses the configuration or the subscription.
  KafkaConsumer(const Options& options, RebalanceListener listener);
  /// Close()s.
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  /// Waits up to `timeout` for one record (rebalance callbacks run inside). std::nullopt when
  /// none came; an Error for a consumer error, retryable unless fatal.
  Result<std::optional<ConsumedRecord>> Poll(std::chrono::milliseconds timeout);

  /// Commits the given next-offsets synchronously; the error when the broker refused.
  std::optional<Error> Commit(const std::vector<TopicPartitionOffset>& offsets);

  /// Stops fetching `partitions`; records already returned by Poll() are the caller's.
  void Pause(const std::vector<TopicPartition>& partitions);

  /// Fetches `partitions` again from the position of the last record Poll() returned.
  void Resume(const std::vector<TopicPartition>& partitions);

  /// The partitions assigned now. Thread-safe.
  std::vector<TopicPartition> Assignment() const;

  /// No fatal error, and partitions are assigned or the group coordinator answered (statistics
  /// say the group is "up"). Thread-safe.
  bool Ready() const;

  /// Whether librdkafka raised a fatal error (the consumer is unusable). Thread-safe.
  bool Fatal() const { return fatal_.load(); }

  /// Lag of each assigned partition from the latest statistics (committed offset against high
  /// watermark); partitions without both are left out. Thread-safe.
  std::vector<PartitionLag> Lags() const;

  /// Revokes (listener runs), commits nothing itself, leaves the group. Idempotent.
  void Close();

 private:
  class Callbacks;
  friend class Callbacks;

  void OnRebalance(bool assign, bool cooperative, bool lost,
                   const std::vector<TopicPartition>& partitions);
  void OnStatistics(const std::string& statistics);

  RebalanceListener listener_;
  const bool debug_;
  std::atomic<bool> fatal_{false};
  std::atomic<bool> group_up_{false};
  std::atomic<bool> closed_{false};
  mutable std::mutex mutex_;  // guards assignment_ and lags_
  std::vector<TopicPartition> assignment_;
  std::map<TopicPartition, std::int64_t> lags_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;  // last: its callbacks reach this object
};

}  // namespace switchboard
