#pragma once

// What ingest reads of a Vapi server-URL request ({"message": {"type": ..., "call": {...}, ...}}):
// the kind of message, the call it belongs to (which tenant), and for tool calls each call's id,
// name and arguments in every form Vapi sends. Everything else stays in the raw body.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace switchboard::ingest {

/// The message types ingest answers differently; every other type (status-update, transcript,
/// speech-update, hang, conversation-update, and types we do not know) is kOther.
enum class VapiMessageKind {
  kToolCalls,         ///< "tool-calls": answered {"results": [...]}
  kFunctionCall,      ///< legacy "function-call": answered {"result": ...}
  kAssistantRequest,  ///< "assistant-request": answered with the tenant's assistant
  kEndOfCallReport,   ///< "end-of-call-report": to voice.events
  kOther,
};

/// Who and what the message is about.
struct VapiCallInfo {
  std::string call_id;          ///< call.id ("" when absent)
  std::string phone_number_id;  ///< call.phoneNumberId, else phoneNumber.id
  std::string assistant_id;     ///< call.assistantId, else assistant.id
  std::string caller;           ///< call.customer.number, else customer.number ("" when unknown)
};

/// One tool call, in any of Vapi's forms: toolCallList[] {id, name, arguments | parameters},
/// the OpenAI form {id, type, function: {name, arguments}}, toolWithToolCallList[].toolCall, or
/// the legacy functionCall {name, parameters}.
struct VapiToolCall {
  std::string id;
  std::string name;
  /// The arguments as a compact JSON object ("{}" when none were sent).
  std::string arguments = "{}";
  /// Why this call cannot run ("" when it can): no id, no name, arguments not a JSON object.
  std::string problem;
};

/// One parsed server-URL message.
struct VapiMessage {
  VapiMessageKind kind = VapiMessageKind::kOther;
  /// message.type as sent.
  std::string type;
  VapiCallInfo call;
  /// kToolCalls: every call in the order Vapi listed them; kFunctionCall: the one call, its id
  /// derived from the call id, name, arguments and message timestamp (the form has none).
  std::vector<VapiToolCall> tool_calls;
  /// kEndOfCallReport: the message object, compact JSON (strings repaired to UTF-8).
  std::string message_json;
};

/// Parses one Vapi server-URL body. An Error (not retryable) names the problem when the body is
/// not JSON, has no "message" object or no "type" string; a tool call that cannot run is kept in
/// order with its problem, so the answer can say so. Never throws on bad input.
Result<VapiMessage> ParseVapiMessage(std::string_view raw_body);

/// The kind of a message type, e.g. "tool-calls" → kToolCalls.
VapiMessageKind KindOfType(std::string_view type);

}  // namespace switchboard::ingest
