#include "common/topics/tools_results.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string ToolsResults::EventId(std::string_view call_id, std::string_view tool_call_id) {
  return EventIdFor({kTopic, call_id, tool_call_id});
}

std::string ToolsResults::Key(const ToolCallResult& result) {
  return result.call_id;
}

OutboundRecord ToolsResults::Encode(const ToolCallResult& result) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", result.event_id)
      .Field("schema", kSchema)
      .Field("tool_call_id", result.tool_call_id)
      .Field("call_id", result.call_id)
      .Field("business_id", result.business_id)
      .Field("tool", result.tool)
      .Field("correlation_id", result.correlation_id)
      .Field("reply_to", result.reply_to)
      .Field(result.failed ? "error" : "result", result.text)
      .Field("completed_at", result.completed_at)
      .Field("trace_id", result.trace_id)
      .EndObject();
  std::vector<Header> headers =
      RecordHeaders(result.event_id, kSchema, result.business_id, result.trace_id);
  headers.push_back({std::string(kReplyToHeader), result.reply_to});
  return {.topic = std::string(kTopic),
          .key = Key(result),
          .value = writer.Take(),
          .headers = std::move(headers)};
}

std::optional<std::string_view> ToolsResults::ReplyTo(const ConsumedRecord& record) {
  return FindHeader(record.headers, kReplyToHeader);
}

Result<ToolCallResult> ToolsResults::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  ToolCallResult result;
  result.event_id = reader.Required("event_id");
  result.tool_call_id = reader.Required("tool_call_id");
  result.call_id = reader.Required("call_id");
  result.business_id = reader.Required("business_id");
  result.correlation_id = reader.Required("correlation_id");
  result.reply_to = reader.Required("reply_to");
  result.tool = reader.Optional("tool");
  result.completed_at = reader.Optional("completed_at");
  result.trace_id = reader.Optional("trace_id");
  if (result.trace_id.empty()) {
    result.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  const bool has_result = json::StringView(reader.Object(), "result").has_value();
  const bool has_error = json::StringView(reader.Object(), "error").has_value();
  if (has_result == has_error) reader.Fail("result", "or error (exactly one) is needed");
  result.failed = has_error;
  result.text = has_error ? reader.Present("error") : reader.Optional("result");
  return reader.Finish(std::move(result));
}

}  // namespace switchboard::topics
