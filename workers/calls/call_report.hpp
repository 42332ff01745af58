#pragma once

// What the calls stage reads of Vapi's end-of-call-report (the `message` object of the server-URL
// request, kept whole in voice.events): who called, when, how it ended, what was said, the
// summary and the recording. Field names as Vapi sends them (ServerMessageEndOfCallReport):
// endedReason, startedAt, endedAt, cost, call {id, customer {number, name}}, artifact {messages
// [{role, message, time, secondsFromStart}], transcript, recordingUrl, recording {mono
// {combinedUrl}}}, analysis {summary}; durationSeconds / durationMs / durationMinutes are sent
// but not in the typed schema, so the duration falls back to endedAt - startedAt.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace switchboard::calls {

/// Who spoke a line of the transcript.
enum class Speaker {
  kCaller,     ///< Vapi's "user"
  kAssistant,  ///< Vapi's "bot" (older reports: "assistant")
};

/// One spoken line, in call order.
struct TranscriptLine {
  Speaker speaker = Speaker::kCaller;
  std::string text;
  /// When it was said, ms since the epoch: the line's `time`, else the call's start plus its
  /// `secondsFromStart`; nullopt when neither is known (a line of the transcript text).
  std::optional<std::int64_t> at_ms;
};

/// An end-of-call report as the calls stage stores it. Absent text members are empty.
struct CallReport {
  std::string call_id;        ///< call.id
  std::string caller;         ///< call.customer.number, else customer.number
  std::string caller_name;    ///< call.customer.name, else customer.name
  std::string ended_reason;   ///< endedReason
  std::string summary;        ///< analysis.summary, else summary
  std::string recording_url;  ///< artifact.recordingUrl, recording.mono.combinedUrl, recordingUrl
  std::optional<std::int64_t> started_ms;  ///< startedAt (call.startedAt), ms since the epoch
  std::optional<std::int64_t> ended_ms;    ///< endedAt (call.endedAt), ms since the epoch
  /// The call's length: durationSeconds, durationMs or durationMinutes when sent, else endedAt -
  /// startedAt, else 0 (never negative).
  std::int64_t duration_ms = 0;
  std::optional<double> cost;  ///< cost in USD
  /// artifact.messages without system, tool-call and tool-result entries; when the report has
  /// no such messages, the lines of artifact.transcript (or transcript), "AI: ..." / "User: ...".
  std::vector<TranscriptLine> transcript;

  /// The seconds counted as usage: the duration rounded up to whole seconds.
  std::int64_t VoiceSeconds() const { return (duration_ms + 999) / 1000; }
};

/// Reads the end-of-call report `report_json` (Vapi's message object). An Error (not retryable)
/// when it is not a JSON object or its type is not "end-of-call-report"; members that are absent
/// or of another type are left empty, and timestamps that do not parse are unknown.
Result<CallReport> ReadCallReport(std::string_view report_json);

}  // namespace switchboard::calls
