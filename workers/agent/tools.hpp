#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"

namespace switchboard::agent {

/// Whom a tool call acts for. Passed explicitly to every tool: there is no shared mutable context.
struct ToolScope {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  /// The moment of the turn (injected, so tests control "today").
  std::chrono::sys_seconds now;
};

/// What a tool gives back to the model.
struct ToolResult {
  /// A JSON object as text, e.g. {"status":"booked",...} or {"error":"..."}.
  std::string content;
  /// False when the arguments were invalid or the tool refused; the model reads `content`.
  bool ok = true;
  /// True when the tool handed the conversation to a human (no AI reply afterwards).
  bool handed_off = false;
};

/// The OpenAI "tools" array (JSON text) describing every tool: check_availability,
/// book_appointment, cancel_appointment, get_services, get_pricing, send_to_human,
/// get_customer_info, update_customer_info.
const std::string& ToolDefinitionsJson();

/// Runs tool `name` with the model's `arguments_json` in its own transaction scoped to
/// `scope.business_id`. Unknown tools and invalid arguments return ok=false with a clear error
/// for the model, never throw; database failures throw (the stage retries the record).
ToolResult RunTool(db::ConnectionPool& pool, const ToolScope& scope, std::string_view name,
                   std::string_view arguments_json);

}  // namespace switchboard::agent
