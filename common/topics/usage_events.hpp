#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A usage.events/1 value (schemas/usage.events.schema.json): something a tenant used.
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

/// The contract of topic usage.events (agent, calls → usage).
struct UsageEvents {
  static constexpr std::string_view kTopic = "usage.events";
  static constexpr std::string_view kSchema = "usage.events/1";

  /// The event id of the usage `kind` caused by `source` (e.g. "reply" and the inbound message
  /// id): the same each time it is emitted, so it counts once.
  static std::string EventId(std::string_view kind, std::string_view source);
  /// The key: the tenant, so one tenant's counters are updated by one consumer.
  static std::string Key(const UsageEvent& event);
  /// The record: key, JSON value (every count written), headers event-id, schema, tenant and
  /// trace-id.
  static OutboundRecord Encode(const UsageEvent& event);
  /// The event in `record`; a non-retryable Error naming the member when the value is not a
  /// usage.events/1 object, event_id, business_id or occurred_at is missing or empty, or a count
  /// (absent means 0) is not a non-negative integer. trace_id falls back to the trace-id header.
  static Result<UsageEvent> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
