#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/topic_partition.hpp"

namespace switchboard {

/// Which offsets of each partition a consumer may commit. Records are added in the order they
/// were fetched and may finish in any order; only the contiguous finished prefix is committable,
/// so a commit never passes a record that has not finished. Not thread-safe.
class InflightTracker final {
 public:
  /// Starts tracking `offset` of `partition`; offsets of a partition must be added increasingly
  /// (they need not be consecutive: compaction and transaction markers leave gaps).
  void Add(const TopicPartition& partition, std::int64_t offset);

  /// Marks a tracked record finished; false when it is not tracked (forgotten or unknown).
  bool Finish(const TopicPartition& partition, std::int64_t offset);

  /// The offset to commit for `partition` (last contiguous finished offset + 1), when it moved
  /// past what MarkCommitted last recorded.
  std::optional<std::int64_t> Committable(const TopicPartition& partition) const;

  /// Committable() of every tracked partition that has something new to commit.
  std::vector<TopicPartitionOffset> AllCommittable() const;

  /// Records that the broker holds `offset` for `partition`.
  void MarkCommitted(const TopicPartition& partition, std::int64_t offset);

  /// Records tracked and not finished in `partition`.
  std::size_t Unfinished(const TopicPartition& partition) const;

  /// Drops everything known about `partition` (revoked or lost).
  void Forget(const TopicPartition& partition);

 private:
  struct PartitionState {
    std::map<std::int64_t, bool> offsets;  // tracked offset -> finished; front is the oldest
    std::optional<std::int64_t> next_commit;
    std::optional<std::int64_t> committed;
    std::size_t unfinished = 0;
  };

  std::map<TopicPartition, PartitionState> partitions_;
};

}  // namespace switchboard
