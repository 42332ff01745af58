#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/tool_definitions.hpp"
#include "workers/agent/tool_store.hpp"

namespace switchboard::agent {

/// What a tool gives back to the model.
struct ToolResult {
  /// A JSON object as text, e.g. {"status":"booked",...} or {"error":"..."}.
  std::string content;
  /// False when the arguments were invalid or the tool refused; the model reads `content`.
  bool ok = true;
  /// True when the tool handed the conversation to a human (no AI reply afterwards).
  bool handed_off = false;
  /// What the customer is told when the tool ends the AI's part of the conversation
  /// (send_to_human): the agent sends it as the turn's reply. nullopt: the model words the answer.
  std::optional<std::string> customer_notice;
};

/// The OpenAI "tools" array describing every tool RunTool runs (common/tool_definitions.hpp).
using switchboard::ToolDefinitionsJson;

/// Runs tool `name` with the model's `arguments_json`, reading and writing through one
/// store.Begin(scope) (begun only once the arguments are valid). Unknown tools, invalid
/// arguments and scopes with malformed ids return ok=false with a clear error for the model,
/// never throw; database failures throw (the stage retries the record), and so does
/// book_appointment as a RetryableError when it loses every race for the requested time.
ToolResult RunTool(ToolStore& store, const ToolScope& scope, std::string_view name,
                   std::string_view arguments_json);

/// RunTool through a PostgresToolStore on `pool`.
ToolResult RunTool(db::ConnectionPool& pool, const ToolScope& scope, std::string_view name,
                   std::string_view arguments_json);

}  // namespace switchboard::agent
