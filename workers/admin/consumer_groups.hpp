#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/partition_reader.hpp"
#include "workers/admin/lag_status.hpp"

namespace switchboard::admin {

/// Every consumer group on the cluster (only `only_group` when given), the stages' groups
/// ("switchboard-...") first, then by name: state and members from DescribeConsumerGroups, per
/// partition the committed offset (ListConsumerGroupOffsets, plus assigned partitions without
/// one), the end (high watermark) and the lag; lag_seconds from the timestamp of the record at
/// the committed offset, read through `reader` (assigned, never joined), at `now_ms`. Status is
/// that of this one sample (OK or STOPPED); a LagWindow gives the windowed one. Throws
/// std::runtime_error with the broker's answer when a request fails; a `only_group` the broker
/// does not know is an empty result. When `cancel` becomes true, it stops soon and throws
/// std::runtime_error (a service shutting down does not wait for a whole sample).
std::vector<GroupLag> ReadConsumerLag(PartitionReader& reader,
                                      const std::optional<std::string>& only_group,
                                      std::int64_t now_ms,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                      const std::atomic<bool>* cancel = nullptr);

}  // namespace switchboard::admin
