#include "workers/agent/answer_guard.hpp"

#include <doctest/doctest.h>

#include <string>

using switchboard::agent::AnswerProblem;
using switchboard::agent::AnswerProblemName;
using switchboard::agent::CheckAnswer;

namespace {
constexpr std::size_t kMax = 1600;
}

TEST_CASE("a plain answer passes, also one that mentions functions or JSON in words") {
  CHECK(CheckAnswer("A cleaning costs 90 EUR and takes 45 minutes.", kMax) == AnswerProblem::kNone);
  CHECK(CheckAnswer("Our functions room is on the 2nd floor.", kMax) == AnswerProblem::kNone);
  CHECK(CheckAnswer("{curly} braces are fine", kMax) == AnswerProblem::kNone);
  CHECK(CheckAnswer(R"({"note": "not a call"})", kMax) == AnswerProblem::kNone);
  CHECK(CheckAnswer("Grüße aus Berlin! 😀", kMax) == AnswerProblem::kNone);
}

TEST_CASE("empty and whitespace-only answers are refused") {
  CHECK(CheckAnswer("", kMax) == AnswerProblem::kEmpty);
  CHECK(CheckAnswer(" \n\t  \r\n", kMax) == AnswerProblem::kEmpty);
  CHECK(AnswerProblemName(AnswerProblem::kEmpty) == "empty");
}

TEST_CASE("each form of a tool call written as text is refused") {
  for (const std::string& leaked : {
           std::string("functions.get_pricing:"),
           std::string("Sure! functions.book_appointment({\"date\": \"2025-01-02\"})"),
           std::string("<tool_call>\n{\"name\": \"get_pricing\", \"arguments\": {}}\n</tool_call>"),
           std::string("<function=check_availability>{\"date\":\"tomorrow\"}</function>"),
           std::string("[TOOL_CALLS] [{\"name\": \"get_services\", \"arguments\": {}}]"),
           std::string("<|python_tag|>get_services()"),
           std::string(R"({"name": "get_pricing", "arguments": {"service": "cleaning"}})"),
           std::string(R"(  {"name":"get_pricing","parameters":{}}  )"),
           std::string("```json\n{\"name\": \"get_services\", \"arguments\": {}}\n```"),
           std::string(R"([{"name":"a","arguments":{}},{"name":"b","arguments":"{}"}])"),
       }) {
    CAPTURE(leaked);
    CHECK(CheckAnswer(leaked, kMax) == AnswerProblem::kLeakedToolCall);
  }
  CHECK(AnswerProblemName(AnswerProblem::kLeakedToolCall) == "leaked_tool_call");
}

TEST_CASE("an answer far over the channel's length is refused, the limit counts characters") {
  CHECK(CheckAnswer(std::string(1600, 'a'), kMax) == AnswerProblem::kNone);
  CHECK(CheckAnswer(std::string(1601, 'a'), kMax) == AnswerProblem::kTooLong);
  std::string umlauts;
  for (int i = 0; i < 1600; ++i) umlauts += "ü";  // 3200 bytes, 1600 characters
  CHECK(CheckAnswer(umlauts, kMax) == AnswerProblem::kNone);
  CHECK(AnswerProblemName(AnswerProblem::kTooLong) == "too_long");
}
