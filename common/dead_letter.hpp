#pragma once

// The contract of every dead-letter topic "<topic>.dlq" (schemas/dead-letter.schema.json): the
// only place that names one.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard {

/// Schema name and version of every dead-letter value (header "schema" and field "schema").
inline constexpr std::string_view kDeadLetterSchema = "dead-letter/1";

/// Header of a re-driven record: the attempts its dead letter counted. When the record fails
/// again, its new dead letter counts these plus the stage's own attempts.
inline constexpr std::string_view kDeadLetterAttemptsHeader = "dead-letter-attempts";

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
/// schemas/dead-letter.schema.json with the original partition, offset and timestamp. A record
/// that was re-driven (header dead-letter-attempts: n) gets attempts n + info.attempts.
OutboundRecord DeadLetterFor(const ConsumedRecord& original, const DeadLetterInfo& info);

/// The same for a record that never reached Kafka (ingest): partition and offset are -1.
OutboundRecord DeadLetterFor(const OutboundRecord& original, const DeadLetterInfo& info);

/// The dead-letter record for a record ingest could not process and that never reached Kafka:
/// one attempt, failed at `failed_at_ms`. Its event id does not depend on the error text or the
/// time, so a retried delivery dead-letters under the same id.
OutboundRecord DeadLetterRecord(const OutboundRecord& original, std::string_view stage,
                                std::string_view error, std::int64_t failed_at_ms);

/// A dead-letter/1 value decoded: the original record as it was (key, value and header values
/// decoded back to their bytes) and why the stage gave up on it, for inspecting and re-driving.
struct DeadLetter {
  std::string event_id;
  std::string original_topic;
  std::int32_t original_partition = -1;  ///< -1 when it never was in Kafka
  std::int64_t original_offset = -1;
  std::string original_timestamp;  ///< ISO-8601 UTC; empty when it never was in Kafka
  std::string key;
  std::string value;
  std::vector<Header> headers;
  std::string stage;
  std::string error;
  std::int64_t attempts = 1;
  std::string first_failure_at;  ///< ISO-8601 UTC
  std::string last_failure_at;
  std::string trace_id;  ///< empty when the original had none
};

/// The dead letter in `record` (of any "<topic>.dlq"); a non-retryable Error naming the member
/// when the value is not a dead-letter/1 object, a required member is missing or mistyped, or an
/// encoded key, value or header is not what its encoding says.
Result<DeadLetter> DecodeDeadLetter(const ConsumedRecord& record);

/// The record a re-drive puts back on `letter`'s original topic: its key, value and headers as
/// they were, with dead-letter-attempts set to the attempts the dead letter counted.
OutboundRecord RedriveRecord(const DeadLetter& letter);

}  // namespace switchboard
