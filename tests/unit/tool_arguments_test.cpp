// The agent's tool arguments as the model sends them: every malformed field is refused with a
// message naming it, before any database work. RunTool is exercised with a pool that points
// nowhere, which proves refusals never reach the database.
#include "workers/agent/tool_arguments.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <set>
#include <string>

#include "workers/agent/tools.hpp"

namespace switchboard::agent {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

template <typename T>
std::string ErrorOf(const Result<T>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

bool Mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("check_availability needs a real YYYY-MM-DD date, service is optional") {
  auto plain = ParseCheckAvailabilityArguments(R"({"date":"2026-03-10"})");
  REQUIRE(plain.ok());
  CHECK(plain->date == 2026y / 3 / 10);
  CHECK_FALSE(plain->service);

  auto with_service =
      ParseCheckAvailabilityArguments(R"({"date":"2026-03-10","service":"  Haircut "})");
  REQUIRE(with_service.ok());
  CHECK(*with_service->service == "Haircut");

  // null, empty and blank optional strings count as absent.
  CHECK_FALSE(ParseCheckAvailabilityArguments(R"({"date":"2026-03-10","service":null})")->service);
  CHECK_FALSE(ParseCheckAvailabilityArguments(R"({"date":"2026-03-10","service":" "})")->service);

  CHECK(Mentions(ErrorOf(ParseCheckAvailabilityArguments("{}")), "missing required field 'date'"));
  CHECK(Mentions(ErrorOf(ParseCheckAvailabilityArguments(R"({"date":20260310})")),
                 "'date' must be a string"));
  CHECK(
      Mentions(ErrorOf(ParseCheckAvailabilityArguments(R"({"date":"2026-02-30"})")), "YYYY-MM-DD"));
  CHECK(
      Mentions(ErrorOf(ParseCheckAvailabilityArguments(R"({"date":"10.03.2026"})")), "YYYY-MM-DD"));
  CHECK(Mentions(ErrorOf(ParseCheckAvailabilityArguments(R"({"date":"tomorrow"})")), "YYYY-MM-DD"));
  CHECK(Mentions(ErrorOf(ParseCheckAvailabilityArguments(R"({"date":"2026-03-10","service":7})")),
                 "'service' must be a string"));
}

TEST_CASE("arguments must be one JSON object") {
  CHECK(Mentions(ErrorOf(ParseCheckAvailabilityArguments("{date: 2026-03-10}")), "are not JSON"));
  CHECK(Mentions(ErrorOf(ParseCheckAvailabilityArguments(R"(["2026-03-10"])")),
                 "must be a JSON object"));
  CHECK(Mentions(ErrorOf(ParseGetPricingArguments(R"("Haircut")")), "must be a JSON object"));
  CHECK(Mentions(ErrorOf(ParseNoArguments(R"({"a":1} {"b":2})")), "are not JSON"));
  CHECK_FALSE(ParseNoArguments("\"\xff\xfe\"").ok());
  // An empty arguments text is what some models send for tools without parameters.
  CHECK(ParseNoArguments("").ok());
  CHECK(ParseNoArguments("  ").ok());
  CHECK(ParseNoArguments(R"({"unexpected":"ignored"})").ok());
}

TEST_CASE("book_appointment needs service and start, start is local time or has an offset") {
  auto local = ParseBookAppointmentArguments(
      R"({"service":"Haircut","start":"2026-03-10T14:30","name":"Jane Doe"})");
  REQUIRE(local.ok());
  CHECK(local->service == "Haircut");
  CHECK(local->start.local == local_days(2026y / 3 / 10) + 14h + 30min);
  CHECK_FALSE(local->start.utc_offset);
  CHECK(*local->name == "Jane Doe");

  auto with_offset =
      ParseBookAppointmentArguments(R"({"service":"x","start":"2026-03-10T14:30:00+01:00"})");
  REQUIRE(with_offset.ok());
  CHECK(*with_offset->start.utc_offset == 1h);
  CHECK_FALSE(with_offset->name);

  CHECK(Mentions(ErrorOf(ParseBookAppointmentArguments(R"({"start":"2026-03-10T14:30"})")),
                 "missing required field 'service'"));
  CHECK(Mentions(ErrorOf(ParseBookAppointmentArguments(R"({"service":"Haircut"})")),
                 "missing required field 'start'"));
  CHECK(Mentions(ErrorOf(ParseBookAppointmentArguments(R"({"service":"Haircut","start":"14:30"})")),
                 "YYYY-MM-DDTHH:MM"));
  CHECK(Mentions(
      ErrorOf(ParseBookAppointmentArguments(R"({"service":"Haircut","start":"2026-03-10T25:00"})")),
      "not a start time"));
  CHECK(Mentions(ErrorOf(ParseBookAppointmentArguments(
                     R"({"service":"Haircut","start":"2026-03-10T10:00+5"})")),
                 "not a start time"));
  CHECK(Mentions(ErrorOf(ParseBookAppointmentArguments(
                     R"({"service":["Haircut"],"start":"2026-03-10T10:00"})")),
                 "'service' must be a string"));
  CHECK(Mentions(ErrorOf(ParseBookAppointmentArguments(
                     R"({"service":"Haircut","start":"2026-03-10T10:00","name":false})")),
                 "'name' must be a string"));
  const std::string long_name(201, 'a');
  CHECK(Mentions(
      ErrorOf(ParseBookAppointmentArguments(
          R"({"service":"Haircut","start":"2026-03-10T10:00","name":")" + long_name + R"("})")),
      "too long"));
}

TEST_CASE("cancel_appointment needs an appointment id or a start") {
  auto by_id = ParseCancelAppointmentArguments(
      R"({"appointment_id":"6F1C2A3B-0000-4000-8000-00000000000A"})");
  REQUIRE(by_id.ok());
  CHECK(*by_id->appointment_id == "6f1c2a3b-0000-4000-8000-00000000000a");
  CHECK_FALSE(by_id->start);

  auto by_start = ParseCancelAppointmentArguments(R"({"start":"2026-03-10 09:00"})");
  REQUIRE(by_start.ok());
  CHECK(by_start->start->local == local_days(2026y / 3 / 10) + 9h);

  CHECK(Mentions(ErrorOf(ParseCancelAppointmentArguments("{}")), "'appointment_id'"));
  CHECK(Mentions(ErrorOf(ParseCancelAppointmentArguments(R"({"appointment_id":"42"})")),
                 "appointment id"));
  CHECK(Mentions(ErrorOf(ParseCancelAppointmentArguments(R"({"appointment_id":42})")),
                 "must be a string"));
  CHECK(Mentions(ErrorOf(ParseCancelAppointmentArguments(R"({"start":"next monday"})")),
                 "not a start time"));
}

TEST_CASE("get_pricing and send_to_human take optional strings") {
  CHECK_FALSE(ParseGetPricingArguments("{}")->service);
  CHECK(*ParseGetPricingArguments(R"({"service":"Colour"})")->service == "Colour");
  CHECK(Mentions(ErrorOf(ParseGetPricingArguments(R"({"service":{}})")), "must be a string"));
  CHECK_FALSE(ParseSendToHumanArguments("").value().reason);
  CHECK(*ParseSendToHumanArguments(R"({"reason":"wants a refund"})")->reason == "wants a refund");
  CHECK(Mentions(ErrorOf(ParseSendToHumanArguments(R"({"reason":1})")), "must be a string"));
  CHECK(Mentions(
      ErrorOf(ParseSendToHumanArguments(R"({"reason":")" + std::string(1001, 'r') + R"("})")),
      "too long"));
}

TEST_CASE("update_customer_info needs a name or an email shaped like an address") {
  auto both = ParseUpdateCustomerInfoArguments(R"({"name":"Jane","email":"jane@example.com"})");
  REQUIRE(both.ok());
  CHECK(*both->name == "Jane");
  CHECK(*both->email == "jane@example.com");
  CHECK(ParseUpdateCustomerInfoArguments(R"({"email":"j.doe+x@mail.example.co.uk"})").ok());
  CHECK(Mentions(ErrorOf(ParseUpdateCustomerInfoArguments("{}")), "'name' or 'email'"));
  CHECK(Mentions(ErrorOf(ParseUpdateCustomerInfoArguments(R"({"email":"jane"})")),
                 "not an email address"));
  CHECK(Mentions(ErrorOf(ParseUpdateCustomerInfoArguments(R"({"email":42})")), "must be a string"));
}

TEST_CASE("email shape") {
  CHECK(LooksLikeEmail("a@b.co"));
  CHECK(LooksLikeEmail("first.last@sub.example.org"));
  CHECK_FALSE(LooksLikeEmail(""));
  CHECK_FALSE(LooksLikeEmail("jane@"));
  CHECK_FALSE(LooksLikeEmail("@example.com"));
  CHECK_FALSE(LooksLikeEmail("jane@example"));
  CHECK_FALSE(LooksLikeEmail("jane@@example.com"));
  CHECK_FALSE(LooksLikeEmail("ja ne@example.com"));
  CHECK_FALSE(LooksLikeEmail("jane@example..com"));
  CHECK_FALSE(LooksLikeEmail("jane@.example.com"));
  CHECK_FALSE(LooksLikeEmail("jane@example.com."));
  CHECK_FALSE(LooksLikeEmail("jane@-example.com"));
  CHECK_FALSE(LooksLikeEmail(".jane@example.com"));
  CHECK_FALSE(LooksLikeEmail("jane..doe@example.com"));
  CHECK_FALSE(LooksLikeEmail("<jane@example.com>"));
  CHECK_FALSE(LooksLikeEmail(std::string(65, 'a') + "@example.com"));
  CHECK_FALSE(LooksLikeEmail("a@" + std::string(250, 'b') + ".com"));
}

TEST_CASE("the tool definitions are an OpenAI tools array of the eight tools") {
  rapidjson::Document definitions;
  definitions.Parse(ToolDefinitionsJson().c_str());
  REQUIRE_FALSE(definitions.HasParseError());
  REQUIRE(definitions.IsArray());
  std::set<std::string> names;
  for (const auto& tool : definitions.GetArray()) {
    CHECK(std::string(tool["type"].GetString()) == "function");
    const auto& function = tool["function"];
    names.insert(function["name"].GetString());
    CHECK(function["description"].GetStringLength() > 0);
    CHECK(std::string(function["parameters"]["type"].GetString()) == "object");
    CHECK(function["parameters"]["properties"].IsObject());
  }
  CHECK(names == std::set<std::string>{
                     "check_availability", "book_appointment", "cancel_appointment", "get_services",
                     "get_pricing", "send_to_human", "get_customer_info", "update_customer_info"});
}

TEST_CASE("RunTool refuses unknown tools, bad arguments and bad scopes without the database") {
  // Port 1 on loopback refuses connections: any database access would throw.
  db::ConnectionPool nowhere("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", 1);
  const ToolScope scope{"00000000-0000-4000-8000-000000000001",
                        "00000000-0000-4000-8000-000000000002",
                        "00000000-0000-4000-8000-000000000003", sys_seconds{}};

  const ToolResult unknown = RunTool(nowhere, scope, "delete_everything", "{}");
  CHECK_FALSE(unknown.ok);
  CHECK(Mentions(unknown.content, "unknown tool 'delete_everything'"));
  CHECK(Mentions(unknown.content, "check_availability"));

  const ToolResult bad_date = RunTool(nowhere, scope, "check_availability", R"({"date":"soon"})");
  CHECK_FALSE(bad_date.ok);
  CHECK_FALSE(bad_date.handed_off);
  rapidjson::Document content;
  content.Parse(bad_date.content.c_str());
  REQUIRE(content.IsObject());
  CHECK(Mentions(content["error"].GetString(), "YYYY-MM-DD"));

  for (const char* tool : {"book_appointment", "cancel_appointment", "update_customer_info"}) {
    CAPTURE(tool);
    CHECK_FALSE(RunTool(nowhere, scope, tool, "{}").ok);
    CHECK_FALSE(RunTool(nowhere, scope, tool, "not json").ok);
  }
  CHECK_FALSE(RunTool(nowhere, scope, "get_services", "[]").ok);
  CHECK_FALSE(RunTool(nowhere, scope, "get_customer_info", "7").ok);
  CHECK_FALSE(RunTool(nowhere, scope, "get_pricing", R"({"service":1})").ok);
  CHECK_FALSE(RunTool(nowhere, scope, "send_to_human", R"({"reason":[]})").ok);

  ToolScope unscoped = scope;
  unscoped.customer_id = "'; DROP TABLE customers; --";
  const ToolResult refused = RunTool(nowhere, unscoped, "get_services", "{}");
  CHECK_FALSE(refused.ok);
  CHECK(Mentions(refused.content, "error"));
}

}  // namespace
}  // namespace switchboard::agent
