#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A tools.results/1 value (schemas/tools.results.schema.json): the spoken answer to one
/// tools.requests record, with the request's ids, reply_to and correlation_id copied.
struct ToolCallResult {
  std::string event_id;  ///< ToolsResults::EventId(call_id, tool_call_id)
  std::string tool_call_id;
  std::string call_id;
  std::string business_id;
  std::string tool;
  std::string correlation_id;
  std::string reply_to;
  /// One line for the assistant to speak: the result, or (failed) why the tool did not run.
  std::string text;
  /// True: `text` is written as "error" (Vapi's error field), else as "result".
  bool failed = false;
  std::string completed_at;  ///< ISO-8601 UTC with milliseconds
  std::string trace_id;
};

/// The contract of topic tools.results (tools → the ingest replica named by reply_to).
struct ToolsResults {
  static constexpr std::string_view kTopic = "tools.results";
  static constexpr std::string_view kSchema = "tools.results/1";
  /// The header holding reply_to, so a replica skips other replicas' answers unparsed.
  static constexpr std::string_view kReplyToHeader = "reply-to";

  /// The event id of the answer to tool call `tool_call_id` of call `call_id`: the same each time
  /// it is sent.
  static std::string EventId(std::string_view call_id, std::string_view tool_call_id);
  /// The key: the call id (as the request's).
  static std::string Key(const ToolCallResult& result);
  /// The record: key, JSON value, headers event-id, schema, tenant, trace-id and reply-to.
  static OutboundRecord Encode(const ToolCallResult& result);
  /// The reply-to header of `record`, if it has one.
  static std::optional<std::string_view> ReplyTo(const ConsumedRecord& record);
  /// The result in `record`; a non-retryable Error naming the member when the value is not a
  /// tools.results/1 object, event_id, tool_call_id, call_id, business_id, correlation_id or
  /// reply_to is missing or empty, or not exactly one of result and error is a string. trace_id
  /// falls back to the trace-id header.
  static Result<ToolCallResult> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
