#include "workers/agent/answer_guard.hpp"

#include <array>
#include <cctype>

#include "common/json.hpp"

namespace switchboard::agent {
namespace {

bool IsSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool IsIdentifier(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

/// "functions.<identifier>" anywhere: the namespace OpenAI-style templates give tools.
bool HasFunctionsNamespace(std::string_view text) {
  static constexpr std::string_view kPrefix = "functions.";
  for (std::size_t at = text.find(kPrefix); at != std::string_view::npos;
       at = text.find(kPrefix, at + 1)) {
    const std::size_t name = at + kPrefix.size();
    const bool word_start = at == 0 || !IsIdentifier(text[at - 1]);
    if (word_start && name < text.size() && IsIdentifier(text[name])) return true;
  }
  return false;
}

bool HasMarker(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kMarkers = {"<tool_call>",    "</tool_call>",
                                                               "<function=",     "[TOOL_CALLS]",
                                                               "<|python_tag|>", "<|tool_call|>"};
  for (std::string_view marker : kMarkers) {
    if (text.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

bool IsCallObject(const json::Value& value) {
  return value.IsObject() && json::Find(value, "name") != nullptr &&
         (json::Find(value, "arguments") != nullptr || json::Find(value, "parameters") != nullptr);
}

/// The answer is (or is fenced around) JSON that names a function and its arguments.
bool IsJsonCall(std::string_view text) {
  if (text.starts_with("```")) {
    const std::size_t line_end = text.find('\n');
    const std::size_t fence_end = text.rfind("```");
    if (line_end == std::string_view::npos || fence_end <= line_end) return false;
    text = Trim(text.substr(line_end + 1, fence_end - line_end - 1));
  }
  if (text.empty() || (text.front() != '{' && text.front() != '[')) return false;
  const auto parsed = json::Parse(text, json::InvalidUtf8::kKeep);
  if (!parsed.ok()) return false;
  if (IsCallObject(*parsed)) return true;
  if (!parsed->IsArray() || parsed->Empty()) return false;
  for (const json::Value& item : parsed->GetArray()) {
    if (!IsCallObject(item)) return false;
  }
  return true;
}

}  // namespace

std::string_view AnswerProblemName(AnswerProblem problem) {
  switch (problem) {
    case AnswerProblem::kNone:
      return "none";
    case AnswerProblem::kEmpty:
      return "empty";
    case AnswerProblem::kLeakedToolCall:
      return "leaked_tool_call";
    case AnswerProblem::kTooLong:
      return "too_long";
  }
  return "none";
}

AnswerProblem CheckAnswer(std::string_view text, std::size_t max_characters) {
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return AnswerProblem::kEmpty;
  if (HasFunctionsNamespace(trimmed) || HasMarker(trimmed) || IsJsonCall(trimmed)) {
    return AnswerProblem::kLeakedToolCall;
  }
  if (CodePoints(trimmed) > max_characters) return AnswerProblem::kTooLong;
  return AnswerProblem::kNone;
}

}  // namespace switchboard::agent
