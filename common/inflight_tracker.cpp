#include "common/inflight_tracker.hpp"

#include <stdexcept>

namespace switchboard {

void InflightTracker::Add(const TopicPartition& partition, std::int64_t offset) {
  PartitionState& state = partitions_[partition];
  if (!state.offsets.empty() && offset <= state.offsets.rbegin()->first) {
    throw std::logic_error("InflightTracker: offsets of a partition must increase");
  }
  if (state.next_commit && offset < *state.next_commit) {
    throw std::logic_error("InflightTracker: offset below the committable position");
  }
  state.offsets.emplace(offset, false);
  ++state.unfinished;
}

bool InflightTracker::Finish(const TopicPartition& partition, std::int64_t offset) {
  const auto found = partitions_.find(partition);
  if (found == partitions_.end()) return false;
  PartitionState& state = found->second;
  const auto record = state.offsets.find(offset);
  if (record == state.offsets.end() || record->second) return false;
  record->second = true;
  --state.unfinished;
  // The prefix grows only from the oldest tracked record.
  while (!state.offsets.empty() && state.offsets.begin()->second) {
    state.next_commit = state.offsets.begin()->first + 1;
    state.offsets.erase(state.offsets.begin());
  }
  return true;
}

std::optional<std::int64_t> InflightTracker::Committable(const TopicPartition& partition) const {
  const auto found = partitions_.find(partition);
  if (found == partitions_.end()) return std::nullopt;
  const PartitionState& state = found->second;
  if (!state.next_commit || (state.committed && *state.committed >= *state.next_commit)) {
    return std::nullopt;
  }
  return state.next_commit;
}

std::vector<TopicPartitionOffset> InflightTracker::AllCommittable() const {
  std::vector<TopicPartitionOffset> result;
  for (const auto& [partition, state] : partitions_) {
    if (auto offset = Committable(partition)) result.push_back({partition, *offset});
  }
  return result;
}

void InflightTracker::MarkCommitted(const TopicPartition& partition, std::int64_t offset) {
  const auto found = partitions_.find(partition);
  if (found == partitions_.end()) return;
  auto& committed = found->second.committed;
  if (!committed || *committed < offset) committed = offset;
}

std::size_t InflightTracker::Unfinished(const TopicPartition& partition) const {
  const auto found = partitions_.find(partition);
  return found == partitions_.end() ? 0 : found->second.unfinished;
}

void InflightTracker::Forget(const TopicPartition& partition) {
  partitions_.erase(partition);
}

}  // namespace switchboard
