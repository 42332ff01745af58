// libFuzzer target for the calls stage's reading of Vapi's end-of-call report. The input is a
// server-URL body ({"message": {...}}, seed corpus: tests/fixtures/vapi) or a bare message. Besides
// "no crash, no UB, no leak", it checks what the stage relies on: the message travels through
// voice.events (encode, decode) and reads the same on the other side (its text exactly; numbers
// are re-parsed, so a digit beyond double precision may differ), a report reads to a duration
// that is never negative, and every transcript line is non-empty UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.hpp"
#include "common/json.hpp"
#include "common/kafka_record.hpp"
#include "common/topics/voice_events.hpp"
#include "workers/calls/call_report.hpp"

namespace {

namespace calls = switchboard::calls;
namespace json = switchboard::json;
namespace topics = switchboard::topics;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

/// The report read from `report_json`, its invariants checked; nullopt when it is refused.
std::optional<calls::CallReport> FuzzReport(const std::string& report_json) {
  auto report = calls::ReadCallReport(report_json);
  if (!report.ok()) {
    Check(!report.error().message.empty() && !report.error().retryable,
          "a refused report says why and is not retried");
    return std::nullopt;
  }
  Check(report->duration_ms >= 0 && report->VoiceSeconds() >= 0, "durations are not negative");
  Check(report->VoiceSeconds() * 1000 >= report->duration_ms, "voice seconds round up");
  for (const calls::TranscriptLine& line : report->transcript) {
    Check(!line.text.empty(), "transcript lines are not empty");
    Check(switchboard::IsValidUtf8(line.text), "transcript lines are UTF-8");
  }
  for (const std::string* text : {&report->call_id, &report->caller, &report->summary,
                                  &report->recording_url, &report->ended_reason}) {
    Check(switchboard::IsValidUtf8(*text), "report members are UTF-8");
  }
  return std::move(report).value();
}

/// The text a person reads of a report: what must survive voice.events exactly.
std::string Text(const calls::CallReport& report) {
  std::string text = report.call_id + '|' + report.caller + '|' + report.caller_name + '|' +
                     report.ended_reason + '|' + report.summary + '|' + report.recording_url;
  for (const calls::TranscriptLine& line : report.transcript) {
    text += (line.speaker == calls::Speaker::kCaller ? "|caller:" : "|assistant:") + line.text;
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = json::Parse(body, json::InvalidUtf8::kKeep);
  if (!parsed.ok() || !parsed->IsObject()) {
    (void)FuzzReport(std::string(body));
    return 0;
  }
  const json::Value* message = json::Find(*parsed, "message");
  const std::string report_json =
      json::Serialize(message != nullptr && message->IsObject() ? *message : *parsed);

  const topics::VoiceEvent event{
      .event_id = topics::VoiceEvents::EventId("call-fuzz", topics::VoiceEvents::kEndOfCallReport),
      .type = std::string(topics::VoiceEvents::kEndOfCallReport),
      .call_id = "call-fuzz",
      .business_id = "0b6e3f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
      .caller = "+4915112345678",
      .received_at = "2024-05-01T09:35:12.345Z",
      .report_json = report_json,
      .trace_id = "trace-fuzz"};
  const switchboard::OutboundRecord record = topics::VoiceEvents::Encode(event);
  Check(switchboard::IsValidUtf8(record.value), "voice.events values are UTF-8");
  const auto decoded = topics::VoiceEvents::Decode(
      {.topic = record.topic, .key = record.key, .value = record.value, .headers = record.headers});
  Check(decoded.ok(), "voice.events decodes what it encoded");
  const auto sent = FuzzReport(report_json);
  const auto received = FuzzReport(decoded->report_json);
  Check(sent.has_value() == received.has_value(), "the report is read alike on both sides");
  if (sent) Check(Text(*sent) == Text(*received), "the report's text travels unchanged");
  return 0;
}
