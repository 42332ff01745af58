#pragma once

#include <span>
#include <string>
#include <string_view>

namespace switchboard {

/// One tool the assistant may call: what the model is told about it.
struct ToolDefinition {
  std::string_view name;
  std::string_view description;
  /// JSON Schema of the arguments object.
  std::string_view parameters;
};

/// Every tool the agent and the tools stage run: check_availability, book_appointment,
/// cancel_appointment, get_services, get_pricing, send_to_human, get_customer_info,
/// update_customer_info (workers/agent/tools.cpp runs them).
std::span<const ToolDefinition> ToolDefinitions();

/// The OpenAI "tools" array (JSON text) of ToolDefinitions(): {"type":"function","function":
/// {name, description, parameters}} each.
const std::string& ToolDefinitionsJson();

}  // namespace switchboard
