#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace switchboard {

/// One partition of one topic: the unit Kafka assigns, orders and commits.
struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  auto operator<=>(const TopicPartition&) const = default;
};

/// A position in a partition: for a commit, the offset of the next record to read.
struct TopicPartitionOffset {
  TopicPartition partition;
  std::int64_t offset = 0;

  auto operator<=>(const TopicPartitionOffset&) const = default;
};

}  // namespace switchboard
