// libFuzzer target for the socket-free core of ingest's Vapi route. The input is a server-URL
// body (seed corpus: tests/fixtures/vapi). Besides "no crash, no UB, no leak", it checks what the
// route relies on: an HMAC signature over the body verifies and one over another body does not;
// every tool call that can run has an id, a name and arguments that are a JSON object, and its
// tools.requests record decodes back to them; an end-of-call report's voice.events record decodes
// with the message object it was made of.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/voice_events.hpp"
#include "ingest/vapi_auth.hpp"
#include "ingest/vapi_message.hpp"

namespace {

using namespace switchboard;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

ConsumedRecord Consumed(const OutboundRecord& record) {
  return {
      .topic = record.topic, .key = record.key, .value = record.value, .headers = record.headers};
}

void CheckAuthentication(std::string_view body) {
  const ingest::VapiAuthSettings settings{.secrets = {"s1"}, .hmac_secrets = {"h1"}};
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));
  const std::string timestamp = "1767225600";
  const std::string signature = HexEncode(HmacSha256("h1", timestamp + "." + std::string(body)));
  Check(ingest::AuthenticateVapi({.signature = signature, .timestamp = timestamp}, body, settings,
                                 now) == ingest::VapiAuthVerdict::kAccepted,
        "a signature over the body verifies");
  const std::string other = HexEncode(HmacSha256("h1", timestamp + "." + std::string(body) + " "));
  Check(ingest::AuthenticateVapi({.signature = other, .timestamp = timestamp}, body, settings,
                                 now) != ingest::VapiAuthVerdict::kAccepted,
        "a signature over another body does not verify");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckAuthentication(body);
  auto parsed = ingest::ParseVapiMessage(body);
  if (!parsed.ok()) return 0;
  const ingest::VapiMessage& message = *parsed;
  for (const ingest::VapiToolCall& call : message.tool_calls) {
    auto arguments = json::Parse(call.arguments);
    Check(arguments.ok() && arguments->IsObject(), "arguments are a JSON object");
    if (!call.problem.empty()) continue;
    Check(!call.id.empty() && !call.name.empty(), "a call that can run has an id and a name");
    const OutboundRecord record = topics::ToolsRequests::Encode(
        {.event_id = topics::ToolsRequests::EventId(call.id),
         .tool_call_id = call.id,
         .call_id = message.call.call_id.empty() ? call.id : message.call.call_id,
         .business_id = "b",
         .caller = message.call.caller,
         .tool = call.name,
         .arguments_json = call.arguments,
         .correlation_id = "c",
         .reply_to = "r",
         .requested_at = "2026-01-01T00:00:00.000Z",
         .deadline_at = "2026-01-01T00:00:04.000Z",
         .trace_id = "t"});
    auto decoded = topics::ToolsRequests::Decode(Consumed(record));
    Check(decoded.ok(), "the tools.requests record decodes");
    Check(decoded->arguments_json == json::Serialize(*arguments), "arguments survive the topic");
  }
  if (message.kind == ingest::VapiMessageKind::kEndOfCallReport && !message.call.call_id.empty()) {
    const OutboundRecord record = topics::VoiceEvents::Encode(
        {.event_id = topics::VoiceEvents::EventId(message.call.call_id, message.type),
         .type = message.type,
         .call_id = message.call.call_id,
         .business_id = "b",
         .caller = message.call.caller,
         .phone_number_id = message.call.phone_number_id,
         .received_at = "2026-01-01T00:00:00.000Z",
         .report_json = message.message_json,
         .trace_id = "t"});
    Check(topics::VoiceEvents::Decode(Consumed(record)).ok(), "the voice.events record decodes");
  }
  return 0;
}
