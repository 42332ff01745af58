// Vapi's end-of-call report as the calls stage reads it: the transcript from artifact.messages
// (only what people said) or from the transcript text, the summary, recording and ended reason,
// and the duration when Vapi leaves it out.
#include <doctest/doctest.h>

#include <string>

#include "workers/calls/call_report.hpp"

namespace {

using namespace switchboard::calls;

// A report shaped like Vapi's (ServerMessageEndOfCallReport), with system, tool-call and
// tool-result entries among the spoken messages.
constexpr char kWithMessages[] = R"({
  "type": "end-of-call-report",
  "timestamp": 1714556112300,
  "endedReason": "customer-ended-call",
  "startedAt": "2024-05-01T09:33:00.000Z",
  "endedAt": "2024-05-01T09:35:10.500Z",
  "cost": 0.12,
  "call": {"id": "call-1", "type": "inboundPhoneCall", "phoneNumberId": "pn-1",
           "customer": {"number": "+4915112345678", "name": "Ann"}},
  "artifact": {
    "messages": [
      {"role": "system", "message": "You are the receptionist.", "time": 1714556000000,
       "secondsFromStart": 0},
      {"role": "bot", "message": "Bright Smile Dental, how can I help?", "time": 1714556001000,
       "endTime": 1714556003000, "secondsFromStart": 1.0, "duration": 2000},
      {"role": "user", "message": "What does a cleaning cost?", "time": 1714556005000,
       "secondsFromStart": 5.0},
      {"role": "tool_calls", "toolCalls": [{"id": "t1", "type": "function",
        "function": {"name": "get_pricing", "arguments": "{}"}}], "time": 1714556006000},
      {"role": "tool_call_result", "toolCallId": "t1", "name": "get_pricing",
       "result": "Cleaning: 80 EUR", "time": 1714556007000},
      {"role": "bot", "message": "A cleaning is 80 euros.", "secondsFromStart": 8.5}
    ],
    "transcript": "AI: Bright Smile Dental, how can I help?\nUser: What does a cleaning cost?",
    "recordingUrl": "https://storage.vapi.ai/call-1-mono.wav",
    "recording": {"mono": {"combinedUrl": "https://storage.vapi.ai/call-1-combined.wav"}}
  },
  "analysis": {"summary": "The caller asked what a cleaning costs.", "successEvaluation": "true"},
  "durationSeconds": 130.2
})";

}  // namespace

TEST_CASE(
    "end-of-call report: the transcript comes from artifact.messages, without system and "
    "tool entries") {
  const auto report = ReadCallReport(kWithMessages);
  REQUIRE(report.ok());
  CHECK(report->call_id == "call-1");
  CHECK(report->caller == "+4915112345678");
  CHECK(report->caller_name == "Ann");
  CHECK(report->ended_reason == "customer-ended-call");
  CHECK(report->summary == "The caller asked what a cleaning costs.");
  CHECK(report->recording_url == "https://storage.vapi.ai/call-1-mono.wav");
  CHECK(report->started_ms == 1714555980000);
  CHECK(report->ended_ms == 1714556110500);
  // durationSeconds wins over endedAt - startedAt (130.5 s) when Vapi sends it.
  CHECK(report->duration_ms == 130200);
  CHECK(report->VoiceSeconds() == 131);
  REQUIRE(report->cost.has_value());
  CHECK(*report->cost == doctest::Approx(0.12));

  REQUIRE(report->transcript.size() == 3);
  CHECK(report->transcript[0].speaker == Speaker::kAssistant);
  CHECK(report->transcript[0].text == "Bright Smile Dental, how can I help?");
  CHECK(report->transcript[0].at_ms == 1714556001000);
  CHECK(report->transcript[1].speaker == Speaker::kCaller);
  CHECK(report->transcript[1].text == "What does a cleaning cost?");
  CHECK(report->transcript[1].at_ms == 1714556005000);
  // Without `time`, the call's start plus secondsFromStart.
  CHECK(report->transcript[2].speaker == Speaker::kAssistant);
  CHECK(report->transcript[2].text == "A cleaning is 80 euros.");
  CHECK(report->transcript[2].at_ms == 1714555980000 + 8500);
}

TEST_CASE(
    "end-of-call report: without artifact messages the transcript text is split by "
    "speaker") {
  const auto report = ReadCallReport(R"({
    "type": "end-of-call-report",
    "endedReason": "assistant-ended-call",
    "call": {"id": "call-2", "customer": {"number": "+4915112345678"}},
    "artifact": {"transcript": "AI: Hello, Bright Smile Dental.\nUser: Hi, I would like\nto book a check-up.\n\nAI: Gladly.\nUser:  "},
    "summary": "A check-up was requested.",
    "recordingUrl": "https://storage.vapi.ai/call-2.wav"
  })");
  REQUIRE(report.ok());
  REQUIRE(report->transcript.size() == 3);
  CHECK(report->transcript[0].speaker == Speaker::kAssistant);
  CHECK(report->transcript[0].text == "Hello, Bright Smile Dental.");
  CHECK_FALSE(report->transcript[0].at_ms.has_value());
  CHECK(report->transcript[1].speaker == Speaker::kCaller);
  // A line without a speaker continues the line before it.
  CHECK(report->transcript[1].text == "Hi, I would like to book a check-up.");
  CHECK(report->transcript[2].speaker == Speaker::kAssistant);
  CHECK(report->transcript[2].text == "Gladly.");
  // Older reports carry summary and recording at the top level.
  CHECK(report->summary == "A check-up was requested.");
  CHECK(report->recording_url == "https://storage.vapi.ai/call-2.wav");

  // An empty messages array (only a system prompt) falls back to the text as well.
  const auto only_system = ReadCallReport(R"({"type": "end-of-call-report",
    "artifact": {"messages": [{"role": "system", "message": "prompt"}],
                 "transcript": "User: Hello?"}})");
  REQUIRE(only_system.ok());
  REQUIRE(only_system->transcript.size() == 1);
  CHECK(only_system->transcript[0].speaker == Speaker::kCaller);
  CHECK(only_system->transcript[0].text == "Hello?");
}

TEST_CASE("end-of-call report: a missing duration is computed from startedAt and endedAt") {
  const auto computed = ReadCallReport(R"({"type": "end-of-call-report",
    "startedAt": "2024-05-01T11:33:00.250+02:00", "endedAt": "2024-05-01T09:34:01Z"})");
  REQUIRE(computed.ok());
  CHECK(computed->duration_ms == 60750);
  CHECK(computed->VoiceSeconds() == 61);

  // durationMs and durationMinutes are read too.
  const auto in_ms = ReadCallReport(R"({"type": "end-of-call-report", "durationMs": 4200})");
  REQUIRE(in_ms.ok());
  CHECK(in_ms->duration_ms == 4200);
  CHECK(in_ms->VoiceSeconds() == 5);
  const auto in_minutes =
      ReadCallReport(R"({"type": "end-of-call-report", "durationMinutes": 1.5})");
  REQUIRE(in_minutes.ok());
  CHECK(in_minutes->duration_ms == 90000);

  // No duration and no usable timestamps: 0, never negative.
  for (const char* json :
       {R"({"type": "end-of-call-report"})",
        R"({"type": "end-of-call-report", "startedAt": "2024-05-01T09:35:00Z",
            "endedAt": "2024-05-01T09:34:00Z"})",
        R"({"type": "end-of-call-report", "startedAt": "yesterday", "endedAt": "today"})",
        R"({"type": "end-of-call-report", "durationSeconds": -3})",
        R"({"type": "end-of-call-report", "durationSeconds": "60"})"}) {
    CAPTURE(json);
    const auto report = ReadCallReport(json);
    REQUIRE(report.ok());
    CHECK(report->duration_ms == 0);
    CHECK(report->VoiceSeconds() == 0);
    CHECK(report->transcript.empty());
  }
}

TEST_CASE("end-of-call report: what is not a report is refused") {
  for (const char* json : {"", "[]", "not json", R"({"type": "status-update"})", R"({})"}) {
    CAPTURE(json);
    const auto report = ReadCallReport(json);
    REQUIRE_FALSE(report.ok());
    CHECK_FALSE(report.error().retryable);
  }
}
