#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/stage_runtime.hpp"

namespace switchboard::usage {

/// A usage.events/1 record (schemas/usage.events.schema.json).
struct UsageEvent {
  std::string event_id;
  std::string business_id;
  std::string kind;         ///< what was used, e.g. "reply" or "call"; empty when absent
  std::string occurred_at;  ///< ISO-8601; its UTC month is the month counted
  std::int64_t messages = 0;
  std::int64_t llm_tokens = 0;
  std::int64_t voice_seconds = 0;
  std::string trace_id;
};

/// The UsageEvent in a usage.events value; a non-retryable Error naming the field when the value
/// is not a usage.events/1 object, a required string (event_id, business_id, occurred_at) is
/// missing or empty, or a count (messages, llm_tokens, voice_seconds; absent means 0) is not a
/// non-negative integer. trace_id falls back to `trace_header`.
Result<UsageEvent> ParseUsageEvent(std::string_view value, std::string_view trace_header);

/// The usage.events handler: in one transaction scoped to the event's tenant, records the event
/// in usage_events and, only when it was not recorded before, adds its counts to the
/// usage_counters row of its UTC month. So a redelivered event counts once.
/// Outcomes: Done; DeadLetter for a malformed record or one the database refuses (business_id
/// not a UUID or not a business, occurred_at unreadable). Database failures throw (the runtime
/// retries).
class UsageRecorder final {
 public:
  /// Uses `pool` (the application role), which must outlive the recorder.
  explicit UsageRecorder(db::ConnectionPool& pool) : pool_(pool) {}

  /// Handles one usage.events record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

  /// Records `event` (see the class comment); true when it was counted now, false when it had
  /// been counted before. Throws pqxx errors.
  bool Record(const UsageEvent& event);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::usage
