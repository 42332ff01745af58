#pragma once

#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A tools.requests/1 value (schemas/tools.requests.schema.json): one tool call of a live Vapi
/// call, waiting for its answer on tools.results.
struct ToolCallRequest {
  std::string event_id;  ///< ToolsRequests::EventId(tool_call_id)
  std::string tool_call_id;
  std::string call_id;  ///< Vapi's call id
  std::string business_id;
  std::string caller;  ///< E.164, or empty when the call has no number
  std::string tool;
  /// The arguments object as JSON text ("" is written as {}).
  std::string arguments_json;
  std::string correlation_id;
  std::string reply_to;      ///< the waiting ingest instance
  std::string requested_at;  ///< ISO-8601 UTC with milliseconds
  std::string deadline_at;   ///< ISO-8601 UTC with milliseconds
  std::string trace_id;
};

/// The contract of topic tools.requests (ingest → tools).
struct ToolsRequests {
  static constexpr std::string_view kTopic = "tools.requests";
  static constexpr std::string_view kSchema = "tools.requests/1";

  /// The event id of a tool call: its tool call id, so a redelivered call runs once.
  static std::string EventId(std::string_view tool_call_id);
  /// The key: the call id, so one call's tools run in order.
  static std::string Key(const ToolCallRequest& request);
  /// The record: key, JSON value, headers event-id, schema, tenant and trace-id. An
  /// arguments_json that is not an object's text makes a value Decode refuses.
  static OutboundRecord Encode(const ToolCallRequest& request);
  /// The request in `record`; a non-retryable Error naming the member when the value is not a
  /// tools.requests/1 object, event_id, tool_call_id, call_id, business_id, tool,
  /// correlation_id, reply_to or deadline_at is missing or empty, caller is missing, or
  /// arguments is not an object. trace_id falls back to the trace-id header.
  static Result<ToolCallRequest> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
