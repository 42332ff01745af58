#pragma once

// What a voice assistant is told about one tool call: one line it can speak or reason from, no
// markdown and no lists. The tools themselves are the agent's (workers/agent/tools.hpp: the same
// implementations and argument checks for chat and voice); this unit only rewords their result
// objects for speech.

#include <string>
#include <string_view>

#include "workers/agent/tools.hpp"

namespace switchboard::tools {

/// One line for Vapi: `text` goes out as "result", or as "error" when `failed`.
struct SpokenAnswer {
  std::string text;
  bool failed = false;
};

/// The result of tool `tool` (agent::RunTool's JSON object for a model) phrased for speech:
/// dates as "Thursday, May 2", times as "10:00", prices as "80 EUR", several items in one
/// sentence. A tool that refused (result.ok false) gives a failed answer with its reason and
/// whatever it offered instead (other free times). Never empty, never more than one line.
SpokenAnswer SpeakToolResult(std::string_view tool, const agent::ToolResult& result);

/// The tools that act for the caller as a customer (booking, cancelling, their details, a
/// hand-off): they cannot run for a call without the caller's number.
bool NeedsCaller(std::string_view tool);

/// The failed answer of a tool that needs the caller's number on a call that has none.
SpokenAnswer CallerNumberNeeded();

/// The failed answer of a request handled after the deadline ingest waited for: nobody hears
/// it, but it is sent (and logged) like any other.
SpokenAnswer DeadlinePassed();

/// `text` as one line: line breaks and runs of white space become one space, markdown
/// emphasis, heading and code marks (*, #, `) are dropped, and the ends are trimmed.
std::string OneLine(std::string_view text);

/// "2024-05-02" as "Thursday, May 2"; any other text unchanged.
std::string SpokenDate(std::string_view iso_date);

}  // namespace switchboard::tools
