#include "ingest/vapi_message.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"

namespace switchboard::ingest {
namespace {

const json::Value* ObjectMember(const json::Value& object, std::string_view name) {
  const json::Value* member = json::Find(object, name);
  return member != nullptr && member->IsObject() ? member : nullptr;
}

/// The first non-empty string among `object`.`name` for each object given (null ones skipped).
std::string FirstString(
    std::initializer_list<std::pair<const json::Value*, std::string_view>> candidates) {
  for (const auto& [object, name] : candidates) {
    if (object == nullptr) continue;
    if (auto text = json::String(*object, name); text && !text->empty()) return *text;
  }
  return {};
}

VapiCallInfo CallInfoOf(const json::Value& message) {
  const json::Value* call = ObjectMember(message, "call");
  const json::Value* phone = ObjectMember(message, "phoneNumber");
  const json::Value* assistant = ObjectMember(message, "assistant");
  const json::Value* call_customer = call ? ObjectMember(*call, "customer") : nullptr;
  const json::Value* customer = ObjectMember(message, "customer");
  return {.call_id = FirstString({{call, "id"}}),
          .phone_number_id = FirstString({{call, "phoneNumberId"}, {phone, "id"}}),
          .assistant_id = FirstString({{call, "assistantId"}, {assistant, "id"}}),
          .caller = FirstString({{call_customer, "number"}, {customer, "number"}})};
}

/// Reads `value` (an object, or a string holding one) into `call.arguments`, or sets its problem.
void ReadArguments(const json::Value& value, VapiToolCall& call) {
  if (value.IsObject()) {
    call.arguments = json::Serialize(value);
    return;
  }
  if (value.IsString()) {
    const std::string_view text = json::View(value);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return;  // "" means none
    auto parsed = json::Parse(text, json::InvalidUtf8::kKeep);
    if (parsed.ok() && parsed->IsObject()) {
      call.arguments = json::Serialize(*parsed);
      return;
    }
  }
  if (value.IsNull()) return;
  call.problem = "arguments are not a JSON object";
}

/// The arguments of `holder` ({arguments} or {parameters}), if it has any.
void ReadArgumentsOf(const json::Value& holder, VapiToolCall& call) {
  if (const json::Value* arguments = json::Find(holder, "arguments")) {
    ReadArguments(*arguments, call);
  } else if (const json::Value* parameters = json::Find(holder, "parameters")) {
    ReadArguments(*parameters, call);
  }
}

/// One toolCallList item or toolWithToolCallList[].toolCall: {id, name, arguments|parameters}
/// or {id, type, function: {name, arguments|parameters}}. `fallback_name` is used when the item
/// names no tool (toolWithToolCallList names it beside the call).
VapiToolCall ToolCallOf(const json::Value& item, std::string_view fallback_name = {}) {
  VapiToolCall call;
  if (!item.IsObject()) {
    call.problem = "tool call is not an object";
    return call;
  }
  call.id = json::String(item, "id").value_or("");
  const json::Value* function = ObjectMember(item, "function");
  call.name = FirstString({{&item, "name"}, {function, "name"}});
  if (call.name.empty()) call.name = std::string(fallback_name);
  if (function != nullptr && !json::Find(item, "arguments") && !json::Find(item, "parameters")) {
    ReadArgumentsOf(*function, call);
  } else {
    ReadArgumentsOf(item, call);
  }
  return call;
}

/// `call` with the problem of a missing id or name, unless it has one already.
VapiToolCall Checked(VapiToolCall call) {
  if (call.problem.empty() && call.id.empty()) call.problem = "tool call has no id";
  if (call.problem.empty() && call.name.empty()) call.problem = "tool call names no tool";
  return call;
}

std::vector<VapiToolCall> ToolCallsOf(const json::Value& message) {
  std::vector<VapiToolCall> calls;
  const json::Value* list = json::Find(message, "toolCallList");
  if (list != nullptr && list->IsArray() && !list->Empty()) {
    for (const json::Value& item : list->GetArray()) calls.push_back(Checked(ToolCallOf(item)));
    return calls;
  }
  // Older payloads list only the tools with their calls.
  const json::Value* with_tools = json::Find(message, "toolWithToolCallList");
  if (with_tools != nullptr && with_tools->IsArray()) {
    for (const json::Value& item : with_tools->GetArray()) {
      const json::Value* tool_call = item.IsObject() ? json::Find(item, "toolCall") : nullptr;
      const json::Value* function = item.IsObject() ? ObjectMember(item, "function") : nullptr;
      const std::string tool_name = FirstString({{&item, "name"}, {function, "name"}});
      if (tool_call == nullptr) {
        VapiToolCall call;
        call.name = tool_name;
        call.problem = "toolWithToolCallList item has no toolCall";
        calls.push_back(std::move(call));
        continue;
      }
      calls.push_back(Checked(ToolCallOf(*tool_call, tool_name)));
    }
  }
  return calls;
}

VapiToolCall FunctionCallOf(const json::Value& message, const VapiCallInfo& call_info) {
  const json::Value* function_call = ObjectMember(message, "functionCall");
  if (function_call == nullptr) {
    VapiToolCall call;
    call.problem = "function-call has no functionCall object";
    return call;
  }
  VapiToolCall call = ToolCallOf(*function_call);
  if (call.id.empty()) {
    // The legacy form carries no id: one is derived from what identifies this invocation, so a
    // redelivered request asks the tools stage for the same (idempotent) call.
    const json::Value* timestamp = json::Find(message, "timestamp");
    call.id = "function-call-" +
              EventIdFor({call_info.call_id, call.name, call.arguments,
                          timestamp != nullptr ? json::Serialize(*timestamp) : std::string()});
  }
  return Checked(std::move(call));
}

}  // namespace

VapiMessageKind KindOfType(std::string_view type) {
  if (type == "tool-calls") return VapiMessageKind::kToolCalls;
  if (type == "function-call") return VapiMessageKind::kFunctionCall;
  if (type == "assistant-request") return VapiMessageKind::kAssistantRequest;
  if (type == "end-of-call-report") return VapiMessageKind::kEndOfCallReport;
  return VapiMessageKind::kOther;
}

Result<VapiMessage> ParseVapiMessage(std::string_view raw_body) {
  Result<json::Document> document = json::Parse(raw_body);
  if (!document.ok()) return Error{"body is " + document.error().message};
  if (!document->IsObject()) return Error{"body is not a JSON object"};
  const json::Value* message = ObjectMember(*document, "message");
  if (message == nullptr) return Error{"body has no \"message\" object"};
  const std::optional<std::string> type = json::String(*message, "type");
  if (!type || type->empty()) return Error{"message has no \"type\" string"};

  VapiMessage parsed;
  parsed.type = *type;
  parsed.kind = KindOfType(*type);
  parsed.call = CallInfoOf(*message);
  switch (parsed.kind) {
    case VapiMessageKind::kToolCalls:
      parsed.tool_calls = ToolCallsOf(*message);
      break;
    case VapiMessageKind::kFunctionCall:
      parsed.tool_calls.push_back(FunctionCallOf(*message, parsed.call));
      break;
    case VapiMessageKind::kEndOfCallReport:
      parsed.message_json = json::Serialize(*message);
      break;
    case VapiMessageKind::kAssistantRequest:
    case VapiMessageKind::kOther:
      break;
  }
  return parsed;
}

}  // namespace switchboard::ingest
