#include "common/topics/tools_requests.hpp"

#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string ToolsRequests::EventId(std::string_view tool_call_id) {
  return std::string(tool_call_id);
}

std::string ToolsRequests::Key(const ToolCallRequest& request) {
  return request.call_id;
}

OutboundRecord ToolsRequests::Encode(const ToolCallRequest& request) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", request.event_id)
      .Field("schema", kSchema)
      .Field("tool_call_id", request.tool_call_id)
      .Field("call_id", request.call_id)
      .Field("business_id", request.business_id)
      .Field("caller", request.caller)
      .Field("tool", request.tool)
      .Key("arguments")
      .JsonOrString(request.arguments_json.empty() ? std::string_view("{}")
                                                   : std::string_view(request.arguments_json))
      .Field("correlation_id", request.correlation_id)
      .Field("reply_to", request.reply_to)
      .Field("requested_at", request.requested_at)
      .Field("deadline_at", request.deadline_at)
      .Field("trace_id", request.trace_id)
      .EndObject();
  return {
      .topic = std::string(kTopic),
      .key = Key(request),
      .value = writer.Take(),
      .headers = RecordHeaders(request.event_id, kSchema, request.business_id, request.trace_id)};
}

Result<ToolCallRequest> ToolsRequests::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  ToolCallRequest request;
  request.event_id = reader.Required("event_id");
  request.tool_call_id = reader.Required("tool_call_id");
  request.call_id = reader.Required("call_id");
  request.business_id = reader.Required("business_id");
  request.caller = reader.Present("caller");
  request.tool = reader.Required("tool");
  request.correlation_id = reader.Required("correlation_id");
  request.reply_to = reader.Required("reply_to");
  request.deadline_at = reader.Required("deadline_at");
  request.requested_at = reader.Optional("requested_at");
  request.trace_id = reader.Optional("trace_id");
  if (request.trace_id.empty()) {
    request.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  request.arguments_json = reader.ObjectText("arguments");
  return reader.Finish(std::move(request));
}

}  // namespace switchboard::topics
