#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard {

/// A topic as schemas/ describes it (the "x-kafka" object of each schema).
struct TopicSpec {
  std::string name;
  std::int32_t partitions = 1;
  std::int64_t retention_ms = -1;
};

/// Every topic the schemas in `dir` describe, plus "<topic>.dlq" for each with the settings of the
/// dead-letter schema (whose x-kafka.topic is the pattern "<topic>.dlq"). Throws
/// std::runtime_error naming the file when a schema is unreadable or its x-kafka incomplete.
std::vector<TopicSpec> TopicsFromSchemas(const std::filesystem::path& dir);

/// How many copies of each partition the cluster keeps, and how many must have a record before a
/// producer with acks=all hears it is written (min.insync.replicas).
struct TopicReplication {
  /// Unset: min(3, the brokers in the cluster).
  std::optional<int> factor;
  /// Unset: the factor - 1, at least 1 (2 of 3: one broker may be down and nothing is lost).
  std::optional<int> min_insync;
};

/// The factor and min.insync.replicas `replication` gives on a cluster of `brokers` brokers.
std::pair<int, int> ReplicationFor(const TopicReplication& replication, int brokers);

/// Creates the topics that do not exist yet, replicated as `replication` says; existing topics
/// are left as they are. Returns the names created. Throws std::runtime_error when the broker
/// refuses one for any other reason than that it exists.
std::vector<std::string> CreateTopics(const std::string& brokers,
                                      const std::vector<TopicSpec>& topics,
                                      const TopicReplication& replication = {},
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace switchboard
