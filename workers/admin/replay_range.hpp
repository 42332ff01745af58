#pragma once

// What switchboard-admin replay reads and writes, as pure functions: the range of each
// partition, when a partition is done, the JSON line of a record, the record re-published, and
// the progress line.

#include <cstdint>
#include <optional>
#include <string>

#include "common/kafka_record.hpp"
#include "common/partition_reader.hpp"
#include "common/topic_partition.hpp"

namespace switchboard::admin {

/// The offsets [from, to) of one partition to replay.
struct ReplayRange {
  TopicPartition partition;
  std::int64_t from = 0;
  std::int64_t to = 0;

  std::int64_t Records() const { return to - from; }
  /// Whether a reader whose next offset is `next` has read the whole range.
  bool DoneAt(std::int64_t next) const { return next >= to; }
};

/// The range of `partition` from `from` (its first record kept when `from` is older) to `to`,
/// exclusive (the end taken at start, `marks.high`, when `to` is none or beyond it); empty when
/// `from` is at or past the end.
ReplayRange RangeFor(const TopicPartition& partition, const Watermarks& marks, std::int64_t from,
                     std::optional<std::int64_t> to);

/// One JSON line (without the newline) for --to-file:
/// {"topic","partition","offset","timestamp","key","headers":[{"name","value"}],"value"};
/// timestamp ISO-8601 UTC, the value as JSON when it parses as JSON, else as a string.
std::string ReplayJsonLine(const ConsumedRecord& record);

/// Name of the header --to-topic adds: "<topic>/<partition>/<offset>" of the original.
inline constexpr std::string_view kReplayedFromHeader = "replayed-from";

/// `record` for --to-topic `target`: its key, value and headers, plus replayed-from.
OutboundRecord ReplayedRecord(const ConsumedRecord& record, const std::string& target);

/// The progress line for a terminal: bar, records done of total, rate and ETA.
std::string ProgressLine(std::int64_t done, std::int64_t total, double elapsed_seconds);

}  // namespace switchboard::admin
