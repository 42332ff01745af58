#pragma once

#include <cstddef>
#include <string_view>

namespace switchboard::agent {

/// Why a model's answer must not reach a customer.
enum class AnswerProblem {
  kNone,
  kEmpty,           ///< nothing but whitespace
  kLeakedToolCall,  ///< a tool call written as text instead of called
  kTooLong,         ///< far over what a chat reply on the channel should be
};

/// The metric label of `problem`: "none", "empty", "leaked_tool_call", "too_long".
std::string_view AnswerProblemName(AnswerProblem problem);

/// What is wrong with `text` as a reply, or kNone. A leaked tool call is any of the forms small
/// models write instead of calling: `functions.<name>` (OpenAI's internal namespace), a
/// `<tool_call>` / `<function=` / `[TOOL_CALLS]` / `<|python_tag|>` marker, or a JSON object
/// (bare or in a code fence) with "name" and "arguments" or "parameters". `max_characters`
/// counts code points.
AnswerProblem CheckAnswer(std::string_view text, std::size_t max_characters);

}  // namespace switchboard::agent
