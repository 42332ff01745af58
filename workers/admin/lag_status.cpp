#include "workers/admin/lag_status.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace switchboard::admin {
namespace {

/// Order of severity: the group shows its worst partition.
int Severity(LagStatus status) {
  switch (status) {
    case LagStatus::kOk:
      return 0;
    case LagStatus::kLagging:
      return 1;
    case LagStatus::kStalled:
      return 2;
    case LagStatus::kStopped:
      return 3;
  }
  return 0;
}

const PartitionLag* FindPartition(const GroupLag& sample, const PartitionLag& like) {
  for (const PartitionLag& partition : sample.partitions) {
    if (partition.topic == like.topic && partition.partition == like.partition) return &partition;
  }
  return nullptr;
}

LagStatus PartitionStatus(const std::vector<GroupLag>& samples, const PartitionLag& newest) {
  const std::int64_t lag = newest.lag.value_or(0);
  if (lag <= 0) return LagStatus::kOk;
  if (samples.back().members == 0) return LagStatus::kStopped;
  // The partition's history over the window, oldest first (samples before it existed skipped).
  std::vector<const PartitionLag*> history;
  for (const GroupLag& sample : samples) {
    if (const PartitionLag* found = FindPartition(sample, newest)) history.push_back(found);
  }
  if (history.size() < 2) return LagStatus::kOk;
  const bool committed_still = std::all_of(history.begin(), history.end(), [&](const auto* p) {
    return p->committed == newest.committed;
  });
  if (committed_still) return LagStatus::kStalled;
  bool growing = history.back()->lag.value_or(0) > history.front()->lag.value_or(0);
  for (std::size_t i = 1; i < history.size() && growing; ++i) {
    growing = history[i]->lag.value_or(0) >= history[i - 1]->lag.value_or(0);
  }
  return growing ? LagStatus::kLagging : LagStatus::kOk;
}

}  // namespace

std::optional<std::int64_t> LagOf(std::optional<std::int64_t> committed, std::int64_t end) {
  if (!committed) return std::nullopt;
  return std::max<std::int64_t>(0, end - *committed);
}

double LagSecondsOf(std::int64_t lag, std::int64_t oldest_timestamp_ms, std::int64_t now_ms) {
  if (lag <= 0) return 0.0;
  return static_cast<double>(std::max<std::int64_t>(0, now_ms - oldest_timestamp_ms)) / 1000.0;
}

std::string_view LagStatusName(LagStatus status) {
  switch (status) {
    case LagStatus::kOk:
      return "OK";
    case LagStatus::kLagging:
      return "LAGGING";
    case LagStatus::kStalled:
      return "STALLED";
    case LagStatus::kStopped:
      return "STOPPED";
  }
  return "OK";
}

LagStatus EvaluateStatus(const std::vector<GroupLag>& samples) {
  LagStatus worst = LagStatus::kOk;
  if (samples.empty()) return worst;
  for (const PartitionLag& partition : samples.back().partitions) {
    const LagStatus status = PartitionStatus(samples, partition);
    if (Severity(status) > Severity(worst)) worst = status;
  }
  return worst;
}

std::optional<double> ConsumedPerSecond(const GroupLag& oldest, const GroupLag& newest) {
  const std::int64_t elapsed_ms = newest.sampled_at_ms - oldest.sampled_at_ms;
  if (elapsed_ms <= 0) return std::nullopt;
  std::int64_t consumed = 0;
  for (const PartitionLag& partition : newest.partitions) {
    const PartitionLag* before = FindPartition(oldest, partition);
    if (before == nullptr || !before->committed || !partition.committed) continue;
    consumed += std::max<std::int64_t>(0, *partition.committed - *before->committed);
  }
  return static_cast<double>(consumed) * 1000.0 / static_cast<double>(elapsed_ms);
}

void LagWindow::Add(std::vector<GroupLag>& groups) {
  std::set<std::string> present;
  for (GroupLag& group : groups) {
    present.insert(group.group);
    std::deque<GroupLag>& window = samples_[group.group];
    window.push_back(group);
    while (window.size() > capacity_) window.pop_front();
    group.status = EvaluateStatus(std::vector<GroupLag>(window.begin(), window.end()));
    if (window.size() >= 2) group.records_per_second = ConsumedPerSecond(window.front(), group);
  }
  std::erase_if(samples_, [&](const auto& entry) { return !present.contains(entry.first); });
}

}  // namespace switchboard::admin
