#include "workers/calls/call_report.hpp"

#include <chrono>
#include <cmath>

#include "common/json.hpp"
#include "common/text_shapes.hpp"

namespace switchboard::calls {
namespace {

/// The object member `name` of `object`, or nullptr.
const json::Value* ObjectMember(const json::Value& object, std::string_view name) {
  const json::Value* member = json::Find(object, name);
  return member != nullptr && member->IsObject() ? member : nullptr;
}

/// The first non-empty string found at one of `paths` (each a list of member names from `root`).
std::string FirstString(const json::Value& root,
                        std::initializer_list<std::initializer_list<std::string_view>> paths) {
  for (const auto& path : paths) {
    const json::Value* at = &root;
    const std::string_view* last = path.end() - 1;
    for (const std::string_view* name = path.begin(); at != nullptr && name != last; ++name) {
      at = ObjectMember(*at, *name);
    }
    if (at == nullptr) continue;
    std::string text = json::StringOr(*at, *last);
    if (!text.empty()) return text;
  }
  return {};
}

/// A non-negative number member (below `limit`) as ms, scaled by `ms_per_unit`; nullopt when
/// absent, not a number or out of range.
std::optional<std::int64_t> MsMember(const json::Value& object, std::string_view name,
                                     double ms_per_unit, double limit = 1e9) {
  const std::optional<double> value = json::Number(object, name);
  if (!value || !std::isfinite(*value) || *value < 0 || *value > limit) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(*value * ms_per_unit));
}

/// A transcript line's speaker from its prefix ("AI: ...", "User: ..."), and the text after it.
std::optional<std::pair<Speaker, std::string_view>> SpeakerOf(std::string_view line) {
  static constexpr std::pair<std::string_view, Speaker> kPrefixes[] = {
      {"AI:", Speaker::kAssistant},    {"Assistant:", Speaker::kAssistant},
      {"Bot:", Speaker::kAssistant},   {"User:", Speaker::kCaller},
      {"Customer:", Speaker::kCaller},
  };
  for (const auto& [prefix, speaker] : kPrefixes) {
    if (line.starts_with(prefix)) return std::pair{speaker, line.substr(prefix.size())};
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

/// The lines of a transcript text. A line without a speaker prefix continues the line before it
/// (a first one is the caller's), so no spoken text is lost.
std::vector<TranscriptLine> TranscriptLines(std::string_view text) {
  std::vector<TranscriptLine> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view raw = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (raw.empty()) continue;
    if (const auto spoken = SpeakerOf(raw)) {
      const std::string_view said = Trim(spoken->second);
      if (!said.empty()) lines.push_back({.speaker = spoken->first, .text = std::string(said)});
    } else if (!lines.empty()) {
      lines.back().text.append(" ").append(raw);
    } else {
      lines.push_back({.speaker = Speaker::kCaller, .text = std::string(raw)});
    }
  }
  return lines;
}

/// The spoken entries of artifact.messages (user and bot; system prompts, tool calls and tool
/// results are not what anyone said).
std::vector<TranscriptLine> SpokenMessages(const json::Value& messages,
                                           std::optional<std::int64_t> started_ms) {
  std::vector<TranscriptLine> lines;
  if (!messages.IsArray()) return lines;
  for (const json::Value& entry : messages.GetArray()) {
    const std::string role = json::StringOr(entry, "role");
    Speaker speaker;
    if (role == "user") {
      speaker = Speaker::kCaller;
    } else if (role == "bot" || role == "assistant") {
      speaker = Speaker::kAssistant;
    } else {
      continue;
    }
    std::string text = json::String(entry, "message").value_or("");
    if (text.empty()) text = json::String(entry, "content").value_or("");
    if (Trim(text).empty()) continue;
    TranscriptLine line{.speaker = speaker, .text = std::move(text)};
    if (const auto time = MsMember(entry, "time", 1, 1e14); time && *time > 0) {
      line.at_ms = time;
    } else if (const auto offset = MsMember(entry, "secondsFromStart", 1000);
               offset && started_ms) {
      line.at_ms = *started_ms + *offset;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

Result<CallReport> ReadCallReport(std::string_view report_json) {
  // Text Vapi sent is kept even when it is not valid UTF-8 (json::String repairs it).
  Result<json::Document> parsed = json::Parse(report_json, json::InvalidUtf8::kKeep);
  if (!parsed.ok() || !parsed->IsObject()) {
    return Error{"end-of-call report is not a JSON object", false};
  }
  const json::Value& report = *parsed;
  if (json::StringView(report, "type") != "end-of-call-report") {
    return Error{"report type is not end-of-call-report", false};
  }
  CallReport call;
  call.call_id = FirstString(report, {{"call", "id"}});
  call.caller = FirstString(report, {{"call", "customer", "number"}, {"customer", "number"}});
  call.caller_name = FirstString(report, {{"call", "customer", "name"}, {"customer", "name"}});
  call.ended_reason = FirstString(report, {{"endedReason"}, {"call", "endedReason"}});
  call.summary = FirstString(report, {{"analysis", "summary"}, {"summary"}});
  call.recording_url = FirstString(report, {{"artifact", "recordingUrl"},
                                            {"artifact", "recording", "mono", "combinedUrl"},
                                            {"recordingUrl"}});
  call.started_ms = ParseInstantMs(FirstString(report, {{"startedAt"}, {"call", "startedAt"}}));
  call.ended_ms = ParseInstantMs(FirstString(report, {{"endedAt"}, {"call", "endedAt"}}));
  std::optional<std::int64_t> duration = MsMember(report, "durationSeconds", 1000);
  if (!duration) duration = MsMember(report, "durationMs", 1);
  if (!duration) duration = MsMember(report, "durationMinutes", 60000);
  if (!duration && call.started_ms && call.ended_ms && *call.ended_ms > *call.started_ms) {
    duration = *call.ended_ms - *call.started_ms;
  }
  call.duration_ms = duration.value_or(0);
  if (const auto cost = json::Number(report, "cost"); cost && std::isfinite(*cost)) {
    call.cost = cost;
  }
  const json::Value* artifact = ObjectMember(report, "artifact");
  if (artifact != nullptr) {
    if (const json::Value* messages = json::Find(*artifact, "messages")) {
      call.transcript = SpokenMessages(*messages, call.started_ms);
    }
  }
  if (call.transcript.empty()) {
    std::string text = FirstString(report, {{"artifact", "transcript"}, {"transcript"}});
    call.transcript = TranscriptLines(text);
  }
  return call;
}

}  // namespace switchboard::calls
