#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/partition_reader.hpp"
#include "workers/admin/replay_range.hpp"

namespace switchboard::admin {

/// What switchboard-admin replay was asked for: one start (offset or time), at most one end.
struct ReplayRequest {
  std::string topic;
  std::optional<std::int64_t> from_offset;
  std::optional<std::int64_t> from_time_ms;
  std::optional<std::int64_t> to_offset;   ///< exclusive
  std::optional<std::int64_t> to_time_ms;  ///< records stamped before it
  std::optional<std::int32_t> partition;   ///< none: every partition
  std::optional<std::string> tenant;       ///< only records whose tenant header is this
};

/// The range of each partition of the request, ends taken now (records written later are not
/// replayed). Throws std::runtime_error when the topic or the partition does not exist or the
/// broker does not answer.
std::vector<ReplayRange> PlanReplay(PartitionReader& reader, const ReplayRequest& request);

/// What a replay did.
struct ReplayCounts {
  std::int64_t read = 0;     ///< records read from the ranges
  std::int64_t written = 0;  ///< passed to the writer
  std::int64_t skipped = 0;  ///< of another tenant
  bool interrupted = false;  ///< `stop` was set before the ranges were read
};

/// Reads `ranges` by assignment (never joining a group, never committing) and passes each record
/// of `tenant` (every record without one) to `write`, in offset order per partition. `progress`
/// gets the records read so far now and then (about 5 times a second). Stops early, cleanly,
/// when `stop` becomes true. Throws std::runtime_error on a consumer error; exceptions of
/// `write` pass through.
ReplayCounts RunReplay(PartitionReader& reader, const std::vector<ReplayRange>& ranges,
                       const std::optional<std::string>& tenant,
                       const std::function<void(const ConsumedRecord&)>& write,
                       const std::atomic<bool>& stop,
                       const std::function<void(std::int64_t read)>& progress);

}  // namespace switchboard::admin
