#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
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

/// Creates the topics that do not exist yet (replication factor 1 unless given); existing topics
/// are left as they are. Returns the names created. Throws std::runtime_error when the broker
/// refuses one for any other reason than that it exists.
std::vector<std::string> CreateTopics(const std::string& brokers,
                                      const std::vector<TopicSpec>& topics,
                                      int replication_factor = 1,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace switchboard
