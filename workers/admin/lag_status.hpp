#pragma once

// Consumer lag as switchboard-admin lag and GET /v1/ops/lag report it, and its Burrow-style
// status over a window of samples. Pure: the figures come from workers/admin/consumer_groups.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::admin {

/// One partition a group reads.
struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::optional<std::int64_t> committed;  ///< the next offset the group reads; none committed yet
  std::int64_t end = 0;                   ///< the partition's high watermark
  /// end - committed (0 when the committed offset is at or past the end); none without a commit.
  std::optional<std::int64_t> lag;
  /// Age of the oldest record not consumed yet (the one at the committed offset), from its
  /// timestamp; 0 when nothing is waiting, none without a commit.
  std::optional<double> lag_seconds;
};

/// The lag in records of a committed offset against a partition's end, as Kafka's
/// kafka-consumer-groups reports it: never negative, none without a commit.
std::optional<std::int64_t> LagOf(std::optional<std::int64_t> committed, std::int64_t end);

/// The age at `now_ms` of the oldest waiting record, stamped `oldest_timestamp_ms` (0 when the
/// lag is 0; never negative, a clock behind the broker's is not a negative age).
double LagSecondsOf(std::int64_t lag, std::int64_t oldest_timestamp_ms, std::int64_t now_ms);

/// Burrow's evaluation of a group.
enum class LagStatus {
  kOk,       ///< caught up, or consuming as fast as records come
  kLagging,  ///< lag grew over the whole window
  kStalled,  ///< members present, lag > 0, committed offset did not move over the window
  kStopped,  ///< no members and lag > 0
};

/// "OK", "LAGGING", "STALLED", "STOPPED".
std::string_view LagStatusName(LagStatus status);

/// One group at one moment.
struct GroupLag {
  std::string group;
  std::string state;  ///< the broker's group state: Stable, Empty, PreparingRebalance, ...
  int members = 0;
  std::vector<PartitionLag> partitions;
  LagStatus status = LagStatus::kOk;
  /// When the figures were read (ms since the epoch).
  std::int64_t sampled_at_ms = 0;
  /// Records the group consumed per second over the window (its committed offsets' advance from
  /// the oldest sample to this one); none from a single sample.
  std::optional<double> records_per_second;
};

/// The records per second the group consumed from `oldest` to `newest` (two samples of it): the
/// advance of the committed offsets of the partitions committed in both; none when no time passed.
std::optional<double> ConsumedPerSecond(const GroupLag& oldest, const GroupLag& newest);

/// A group's status from its samples, oldest first (at least one). Per partition of the newest
/// sample: lag 0 (or none) is OK; no members and lag > 0 is STOPPED; with two or more samples,
/// members present, lag > 0 and the committed offset the same in every sample is STALLED; lag
/// growing from sample to sample (never falling, last above first) is LAGGING. The group takes
/// its worst partition's status (STOPPED, STALLED, LAGGING, OK).
LagStatus EvaluateStatus(const std::vector<GroupLag>& samples);

/// The last `capacity` samples of each group, for the status over a window (the admin service
/// samples every few seconds). Not thread-safe.
class LagWindow final {
 public:
  explicit LagWindow(std::size_t capacity) : capacity_(capacity) {}
  /// Adds the groups of one moment and sets each one's status and rate from its window. Groups
  /// that are no longer on the cluster are forgotten.
  void Add(std::vector<GroupLag>& groups);

 private:
  std::size_t capacity_;
  std::map<std::string, std::deque<GroupLag>> samples_;
};

}  // namespace switchboard::admin
