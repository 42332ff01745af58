#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/kafka_record.hpp"

namespace switchboard {

/// Schema name and version of every dead-letter value (header "schema" and field "schema").
inline constexpr std::string_view kDeadLetterSchema = "dead-letter/1";

/// Why and when a stage gave up on a record.
struct DeadLetterInfo {
  std::string stage;                  ///< the stage that failed, e.g. "ingest", "resolver"
  std::string error;                  ///< what went wrong, for a human re-driving the record
  std::int32_t attempts = 1;          ///< how many times the stage tried
  std::int64_t first_failure_ms = 0;  ///< Unix ms of the first failed attempt
  std::int64_t last_failure_ms = 0;   ///< Unix ms of the last failed attempt
};

/// The dead-letter topic of `topic`: "<topic>.dlq".
std::string DeadLetterTopic(std::string_view topic);

/// The dead-letter record for a record a consumer received: topic "<topic>.dlq", the original
/// key, the original's headers (schema replaced by dead-letter/1) and the envelope of
/// schemas/dead-letter.schema.json with the original partition, offset and timestamp.
OutboundRecord DeadLetterFor(const ConsumedRecord& original, const DeadLetterInfo& info);

/// The same for a record that never reached Kafka (ingest): partition and offset are -1.
OutboundRecord DeadLetterFor(const OutboundRecord& original, const DeadLetterInfo& info);

}  // namespace switchboard
