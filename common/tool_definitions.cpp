#include "common/tool_definitions.hpp"

#include <array>

#include "common/json.hpp"

namespace switchboard {
namespace {

constexpr char kNoParameters[] =
    R"({"type":"object","properties":{},"additionalProperties":false})";

constexpr std::array<ToolDefinition, 8> kDefinitions = {{
    {"check_availability",
     "Lists the free appointment start times of one date in the business's local time. Call it "
     "before offering or booking a time; pass the service so the slots fit its duration. When "
     "there are no slots, status and message say why (closed, fully_booked, in_past, ...).",
     R"({"type":"object","properties":{)"
     R"("date":{"type":"string","description":"The local date, YYYY-MM-DD"},)"
     R"("service":{"type":"string","description":"Service name or id from get_services"}},)"
     R"("required":["date"],"additionalProperties":false})"},
    {"book_appointment",
     "Books the current customer into a free start time from check_availability. Returns "
     "status booked with appointment_id, or taken with alternatives to offer instead.",
     R"({"type":"object","properties":{)"
     R"("service":{"type":"string","description":"Service name or id from get_services"},)"
     R"("start":{"type":"string","description":"Local start time YYYY-MM-DDTHH:MM, or the ISO )"
     R"(start of a slot from check_availability"},)"
     R"("name":{"type":"string","description":"The customer's name, if they gave it"}},)"
     R"("required":["service","start"],"additionalProperties":false})"},
    {"cancel_appointment",
     "Cancels one of the current customer's booked appointments, found by its id or its start "
     "time.",
     R"({"type":"object","properties":{)"
     R"("appointment_id":{"type":"string","description":"Id from get_customer_info"},)"
     R"("start":{"type":"string","description":"Local start time YYYY-MM-DDTHH:MM"}},)"
     R"("additionalProperties":false})"},
    {"get_services",
     "Lists the services the business offers with duration, price, currency and description.",
     kNoParameters},
    {"get_pricing", "Gives the price of one service, or of all services when none is named.",
     R"({"type":"object","properties":{)"
     R"("service":{"type":"string","description":"Service name or id"}},)"
     R"("additionalProperties":false})"},
    {"send_to_human",
     "Hands the conversation to a person on the business's team: use it when the customer asks "
     "for a human or you cannot help. No AI replies follow in this conversation.",
     R"({"type":"object","properties":{)"
     R"("reason":{"type":"string","description":"Why a person is needed, for the team"}},)"
     R"("additionalProperties":false})"},
    {"get_customer_info",
     "Gives the current customer's name, phone, email and upcoming appointments (local times).",
     kNoParameters},
    {"update_customer_info", "Saves the name and/or email address the customer gave.",
     R"({"type":"object","properties":{)"
     R"("name":{"type":"string","description":"The customer's name"},)"
     R"("email":{"type":"string","description":"The customer's email address"}},)"
     R"("additionalProperties":false})"},
}};

std::string BuildDefinitionsJson() {
  json::Writer writer;
  writer.StartArray();
  for (const ToolDefinition& tool : kDefinitions) {
    const auto parameters = json::Parse(tool.parameters);
    writer.StartObject()
        .Field("type", "function")
        .Key("function")
        .StartObject()
        .Field("name", tool.name)
        .Field("description", tool.description)
        .Key("parameters")
        .Copy(parameters.value())
        .EndObject()
        .EndObject();
  }
  writer.EndArray();
  return writer.Take();
}

}  // namespace

std::span<const ToolDefinition> ToolDefinitions() {
  return kDefinitions;
}

const std::string& ToolDefinitionsJson() {
  static const std::string definitions = BuildDefinitionsJson();
  return definitions;
}

}  // namespace switchboard
