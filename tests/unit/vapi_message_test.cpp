#include <doctest/doctest.h>

#include "common/json.hpp"
#include "ingest/vapi_message.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::ingest;

// The call object every server message carries (trimmed from a real tool-calls request).
// clang-format off
#define VAPI_CALL R"("call":{"id":"call-7f3","orgId":"org-1","type":"inboundPhoneCall","status":"in-progress","phoneNumberId":"pn-42","assistantId":"asst-9","customer":{"number":"+4915112345678"}},"phoneNumber":{"id":"pn-42","number":"+4930123456"},"timestamp":1767225600123)"
// clang-format on

VapiMessage Parse(std::string_view body) {
  auto parsed = ParseVapiMessage(body);
  REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
  return std::move(parsed).value();
}

std::string Normalized(std::string_view json_text) {
  auto document = json::Parse(json_text);
  REQUIRE(document.ok());
  return json::Serialize(*document);
}

}  // namespace

TEST_CASE("vapi tool-calls: toolCallList with arguments as an object, a JSON string, parameters") {
  const auto message = Parse(R"({"message":{"type":"tool-calls",)" VAPI_CALL R"(,
    "toolCallList":[
      {"id":"tc-1","type":"function","name":"get_services","arguments":{}},
      {"id":"tc-2","name":"check_availability","arguments":"{\"date\": \"2026-01-05\"}"},
      {"id":"tc-3","name":"book_appointment","parameters":{"date":"2026-01-05","time":"10:00"}},
      {"id":"tc-4","name":"get_pricing"}]}})");
  CHECK(message.kind == VapiMessageKind::kToolCalls);
  CHECK(message.type == "tool-calls");
  CHECK(message.call.call_id == "call-7f3");
  CHECK(message.call.phone_number_id == "pn-42");
  CHECK(message.call.assistant_id == "asst-9");
  CHECK(message.call.caller == "+4915112345678");
  REQUIRE(message.tool_calls.size() == 4);
  CHECK(message.tool_calls[0].id == "tc-1");
  CHECK(message.tool_calls[0].name == "get_services");
  CHECK(message.tool_calls[0].arguments == "{}");
  CHECK(message.tool_calls[1].name == "check_availability");
  CHECK(message.tool_calls[1].arguments == R"({"date":"2026-01-05"})");
  CHECK(message.tool_calls[2].arguments == R"({"date":"2026-01-05","time":"10:00"})");
  CHECK(message.tool_calls[3].arguments == "{}");
  for (const auto& call : message.tool_calls) CHECK(call.problem.empty());
}

TEST_CASE("vapi tool-calls: the OpenAI form {id, type, function: {name, arguments}}") {
  const auto message = Parse(R"({"message":{"type":"tool-calls",)" VAPI_CALL R"(,
    "toolCallList":[
      {"id":"call_abc","type":"function",
       "function":{"name":"check_availability","arguments":"{\"date\":\"2026-01-06\"}"}},
      {"id":"call_def","type":"function",
       "function":{"name":"get_pricing","arguments":{"service":"Cleaning"}}}]}})");
  REQUIRE(message.tool_calls.size() == 2);
  CHECK(message.tool_calls[0].id == "call_abc");
  CHECK(message.tool_calls[0].name == "check_availability");
  CHECK(message.tool_calls[0].arguments == R"({"date":"2026-01-06"})");
  CHECK(message.tool_calls[1].name == "get_pricing");
  CHECK(message.tool_calls[1].arguments == R"({"service":"Cleaning"})");
}

TEST_CASE("vapi tool-calls: toolWithToolCallList[].toolCall when there is no toolCallList") {
  // The shape of Vapi's custom-tools documentation: the tool beside its call.
  const auto message = Parse(R"({"message":{"type":"tool-calls",)" VAPI_CALL R"(,
    "toolWithToolCallList":[
      {"type":"function","function":{"name":"get_services","parameters":{"type":"object"}},
       "server":{"url":"https://example.test/webhooks/vapi"},"messages":[],
       "toolCall":{"id":"toolu_01","type":"function",
                   "function":{"name":"get_services","parameters":{}}}},
      {"type":"function","function":{"name":"check_availability"},
       "toolCall":{"id":"toolu_02","type":"function",
                   "function":{"parameters":{"date":"2026-01-07"}}}}]}})");
  REQUIRE(message.tool_calls.size() == 2);
  CHECK(message.tool_calls[0].id == "toolu_01");
  CHECK(message.tool_calls[0].name == "get_services");
  CHECK(message.tool_calls[1].id == "toolu_02");
  CHECK(message.tool_calls[1].name == "check_availability");
  CHECK(message.tool_calls[1].arguments == R"({"date":"2026-01-07"})");
}

TEST_CASE("vapi tool-calls: toolCallList wins over toolWithToolCallList (same calls twice)") {
  const auto message = Parse(R"({"message":{"type":"tool-calls",)" VAPI_CALL R"(,
    "toolCallList":[{"id":"tc-1","name":"get_services","arguments":{}}],
    "toolWithToolCallList":[{"type":"function","function":{"name":"get_services"},
      "toolCall":{"id":"tc-1","function":{"name":"get_services","arguments":{}}}}]}})");
  REQUIRE(message.tool_calls.size() == 1);
  CHECK(message.tool_calls[0].id == "tc-1");
}

TEST_CASE("vapi tool-calls: a call that cannot run keeps its place and says why") {
  const auto message = Parse(R"({"message":{"type":"tool-calls",)" VAPI_CALL R"(,
    "toolCallList":[
      {"id":"tc-1","name":"get_services"},
      {"id":"tc-2","name":"check_availability","arguments":"not json"},
      {"id":"tc-3","name":"check_availability","arguments":"[1,2]"},
      {"id":"tc-4"},
      {"name":"get_pricing"},
      "tc-6",
      {"id":"tc-7","name":"get_pricing","arguments":""}]}})");
  REQUIRE(message.tool_calls.size() == 7);
  CHECK(message.tool_calls[0].problem.empty());
  CHECK(message.tool_calls[1].problem == "arguments are not a JSON object");
  CHECK(message.tool_calls[2].problem == "arguments are not a JSON object");
  CHECK(message.tool_calls[3].problem == "tool call names no tool");
  CHECK(message.tool_calls[4].problem == "tool call has no id");
  CHECK(message.tool_calls[5].problem == "tool call is not an object");
  CHECK(message.tool_calls[6].problem.empty());
  CHECK(message.tool_calls[6].arguments == "{}");
}

TEST_CASE("vapi tool-calls: no calls at all is an empty list, not an error") {
  const auto message = Parse(R"({"message":{"type":"tool-calls",)" VAPI_CALL R"(}})");
  CHECK(message.kind == VapiMessageKind::kToolCalls);
  CHECK(message.tool_calls.empty());
}

TEST_CASE("vapi function-call (legacy): one call with an id derived from what identifies it") {
  const std::string body = R"({"message":{"type":"function-call",)" VAPI_CALL R"(,
    "functionCall":{"name":"get_pricing","parameters":{"service":"Cleaning"}}}})";
  const auto message = Parse(body);
  CHECK(message.kind == VapiMessageKind::kFunctionCall);
  REQUIRE(message.tool_calls.size() == 1);
  CHECK(message.tool_calls[0].name == "get_pricing");
  CHECK(message.tool_calls[0].arguments == R"({"service":"Cleaning"})");
  CHECK(message.tool_calls[0].problem.empty());
  CHECK(message.tool_calls[0].id.starts_with("function-call-"));
  // The same request again asks for the same call; another moment of the call is another call.
  CHECK(Parse(body).tool_calls[0].id == message.tool_calls[0].id);
  std::string later = body;
  later.replace(later.find("1767225600123"), 13, "1767225609999");
  CHECK(Parse(later).tool_calls[0].id != message.tool_calls[0].id);
  const auto broken = Parse(R"({"message":{"type":"function-call",)" VAPI_CALL R"(}})");
  REQUIRE(broken.tool_calls.size() == 1);
  CHECK(broken.tool_calls[0].problem == "function-call has no functionCall object");
}

TEST_CASE("vapi assistant-request: the number and caller without a call id or assistant") {
  const auto message = Parse(R"({"message":{"type":"assistant-request",
    "call":{"id":"call-1","type":"inboundPhoneCall","phoneNumberId":"pn-42",
            "customer":{"number":"+14155550100"}},
    "phoneNumber":{"id":"pn-42","number":"+4930123456"},"customer":{"number":"+14155550100"}}})");
  CHECK(message.kind == VapiMessageKind::kAssistantRequest);
  CHECK(message.call.phone_number_id == "pn-42");
  CHECK(message.call.assistant_id.empty());
  CHECK(message.call.caller == "+14155550100");
  // Only the phoneNumber object and a top-level customer, as some requests have.
  const auto bare = Parse(R"({"message":{"type":"assistant-request","phoneNumber":{"id":"pn-7"},
    "customer":{"number":"+4917000000"}}})");
  CHECK(bare.call.phone_number_id == "pn-7");
  CHECK(bare.call.caller == "+4917000000");
  CHECK(bare.call.call_id.empty());
}

TEST_CASE("vapi end-of-call-report: the whole message kept, with and without artifact messages") {
  const std::string message_text =
      R"({"type":"end-of-call-report","endedReason":"customer-ended-call",
    )" VAPI_CALL R"(,"startedAt":"2026-01-01T09:00:00.000Z","endedAt":"2026-01-01T09:02:30.500Z",
    "cost":0.12,"analysis":{"summary":"Booked a cleaning."},
    "artifact":{"transcript":"AI: Hello\nUser: Hi","recordingUrl":"https://rec.test/1.wav",
      "messages":[{"role":"system","message":"You are..."},
                  {"role":"bot","message":"Hello","time":1767258000000,"secondsFromStart":0.5},
                  {"role":"user","message":"Hi","time":1767258002000,"secondsFromStart":2.1}]}})";
  const auto message = Parse(R"({"message":)" + message_text + "}");
  CHECK(message.kind == VapiMessageKind::kEndOfCallReport);
  CHECK(message.call.call_id == "call-7f3");
  CHECK(message.call.caller == "+4915112345678");
  CHECK(message.message_json == Normalized(message_text));

  const auto without = Parse(R"({"message":{"type":"end-of-call-report","endedReason":"hangup",
    "call":{"id":"call-8","phoneNumberId":"pn-42"},"artifact":{"transcript":"AI: Hello"}}})");
  CHECK(without.kind == VapiMessageKind::kEndOfCallReport);
  CHECK(without.call.caller.empty());
  CHECK(without.message_json.find(R"("transcript":"AI: Hello")") != std::string::npos);
}

TEST_CASE("vapi informational and unknown types are kOther") {
  for (const char* type : {"status-update", "transcript", "speech-update", "hang",
                           "conversation-update", "user-interrupted", "some-future-type"}) {
    const auto message = Parse(std::string(R"({"message":{"type":")") + type +
                               R"(",)" VAPI_CALL R"(,"status":"in-progress"}})");
    CHECK(message.kind == VapiMessageKind::kOther);
    CHECK(message.type == type);
    CHECK(message.call.phone_number_id == "pn-42");
    CHECK(message.tool_calls.empty());
    CHECK(message.message_json.empty());
  }
}

TEST_CASE("vapi bodies that are not a message are errors that name the problem") {
  CHECK(ParseVapiMessage("not json").error().message.starts_with("body is "));
  CHECK(ParseVapiMessage("[]").error().message == "body is not a JSON object");
  CHECK(ParseVapiMessage(R"({"type":"tool-calls"})").error().message ==
        R"(body has no "message" object)");
  CHECK(ParseVapiMessage(R"({"message":{"call":{}}})").error().message ==
        R"(message has no "type" string)");
  CHECK(ParseVapiMessage(R"({"message":{"type":""}})").error().message ==
        R"(message has no "type" string)");
  CHECK_FALSE(ParseVapiMessage("[]").error().retryable);
}
