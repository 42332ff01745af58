// The agent's tools (workers/agent/tools.hpp) against the PostgreSQL that tests/run started:
// they run on the application role (DATABASE_URL, row-level security) and what they stored is
// read back through the owner (DATABASE_OWNER_URL). Each test seeds its own tenants with
// testing::SeedTenant, so the tests can run again against the same database. "Now" is injected:
// Friday 2031-03-07 12:00 UTC; Monday 2031-03-10 is a winter day in Berlin (UTC+1).
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "common/db_pool.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/agent/tools.hpp"

namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using namespace switchboard;
using agent::RunTool;
using agent::ToolResult;
using agent::ToolScope;
using testing::RequireEnv;

const sys_seconds kNow = sys_days(2031y / 3 / 7) + 12h;

/// Mon-Fri 09:00-12:00 and 13:00-17:00, weekends closed.
testing::TenantSpec Salon() {
  testing::TenantSpec spec;
  spec.name = "Test Salon";
  const std::string day = R"([{"open":"09:00","close":"12:00"},{"open":"13:00","close":"17:00"}])";
  spec.opening_hours = R"({"monday":)" + day + R"(,"tuesday":)" + day + R"(,"wednesday":)" + day +
                       R"(,"thursday":)" + day + R"(,"friday":)" + day +
                       R"(,"saturday":[],"sunday":[]})";
  spec.services = {{"Haircut", 30, 2500, "EUR"}, {"Colour", 90, 8000, "EUR"}};
  return spec;
}

/// A customer of a seeded business with an open WhatsApp conversation.
struct Customer {
  ToolScope scope;
};

Customer AddCustomer(const std::string& business_id) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  const std::string customer_id =
      tx.exec_params1("INSERT INTO customers (business_id, phone) VALUES ($1, $2) RETURNING id",
                      business_id, "49151" + std::to_string(std::rand() % 10000000))[0]
          .as<std::string>();
  const std::string conversation_id =
      tx.exec_params1(
            "INSERT INTO conversations (business_id, customer_id, channel) "
            "VALUES ($1, $2, 'whatsapp') RETURNING id",
            business_id, customer_id)[0]
          .as<std::string>();
  tx.commit();
  return Customer{ToolScope{business_id, customer_id, conversation_id, kNow}};
}

std::string ServiceId(const std::string& business_id, const std::string& name) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  return tx
      .exec_params1("SELECT id FROM services WHERE business_id = $1 AND name = $2", business_id,
                    name)[0]
      .as<std::string>();
}

/// Inserts a booked appointment through the owner; returns its id.
std::string BookDirectly(const ToolScope& scope, const std::string& starts_at,
                         const std::string& ends_at) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  const std::string id =
      tx.exec_params1(
            "INSERT INTO appointments (business_id, customer_id, starts_at, ends_at) "
            "VALUES ($1, $2, $3, $4) RETURNING id",
            scope.business_id, scope.customer_id, starts_at, ends_at)[0]
          .as<std::string>();
  tx.commit();
  return id;
}

/// One value through the owner connection (first row, first column; "" for NULL).
std::string OwnerValue(const std::string& sql, const std::string& parameter) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  const pqxx::row row = tx.exec_params1(sql, parameter);
  return row[0].is_null() ? "" : row[0].as<std::string>();
}

rapidjson::Document Content(const ToolResult& result) {
  rapidjson::Document document;
  document.Parse(result.content.c_str());
  REQUIRE_MESSAGE(document.IsObject(), result.content);
  return document;
}

std::string Text(const rapidjson::Value& object, const char* name) {
  REQUIRE_MESSAGE(object.HasMember(name), name);
  REQUIRE(object[name].IsString());
  return object[name].GetString();
}

std::vector<std::string> SlotTimes(const rapidjson::Value& slots) {
  std::vector<std::string> times;
  for (const auto& slot : slots.GetArray()) times.push_back(Text(slot, "time"));
  return times;
}

bool Has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

struct Fixture {
  Fixture() : pool(RequireEnv("DATABASE_URL"), 4) {}
  db::ConnectionPool pool;
};

TEST_CASE_FIXTURE(Fixture, "tools: availability lists local slots and leaves booked ones out") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);

  const ToolResult free_day = RunTool(pool, jane.scope, "check_availability",
                                      R"({"date":"2031-03-10","service":"haircut"})");
  CHECK(free_day.ok);
  const auto free = Content(free_day);
  CHECK(Text(free, "status") == "available");
  CHECK(Text(free, "timezone") == "Europe/Berlin");
  CHECK(Text(free, "service") == "Haircut");
  CHECK(Text(free, "today") == "2031-03-07");
  const auto times = SlotTimes(free["slots"]);
  CHECK(times.size() == 14);  // 6 in the morning, 8 in the afternoon
  CHECK(times.front() == "09:00");
  CHECK(times.back() == "16:30");
  CHECK_FALSE(Has(times, "12:00"));
  CHECK(Text(free["slots"][0], "start") == "2031-03-10T09:00:00+01:00");

  // 10:00-11:00 Berlin is 09:00-10:00 UTC.
  BookDirectly(jane.scope, "2031-03-10 09:00+00", "2031-03-10 10:00+00");
  const auto busy = Content(RunTool(pool, jane.scope, "check_availability",
                                    R"({"date":"2031-03-10","service":"Haircut"})"));
  const auto busy_times = SlotTimes(busy["slots"]);
  CHECK(busy_times.size() == 12);
  CHECK(Has(busy_times, "09:30"));
  CHECK_FALSE(Has(busy_times, "10:00"));
  CHECK_FALSE(Has(busy_times, "10:30"));
  CHECK(Has(busy_times, "11:00"));

  // A 90-minute service fits fewer starts and none that runs into the lunch break.
  const auto colour = Content(RunTool(pool, jane.scope, "check_availability",
                                      R"({"date":"2031-03-10","service":"Colour"})"));
  const auto colour_times = SlotTimes(colour["slots"]);
  CHECK_FALSE(Has(colour_times, "09:00"));  // would overlap the 10:00 booking
  CHECK(Has(colour_times, "13:00"));
  CHECK(colour_times.back() == "15:30");
}

TEST_CASE_FIXTURE(Fixture, "tools: closed, past and too distant days say why there are no slots") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const auto status_of = [&](const std::string& date) {
    const ToolResult result =
        RunTool(pool, jane.scope, "check_availability", R"({"date":")" + date + R"("})");
    CHECK(result.ok);
    const auto content = Content(result);
    CHECK(content["slots"].GetArray().Empty());
    return Text(content, "status");
  };
  CHECK(status_of("2031-03-09") == "closed");  // a Sunday
  CHECK(status_of("2031-03-06") == "in_past");
  CHECK(status_of("2031-06-02") == "beyond_horizon");
  const auto sunday =
      Content(RunTool(pool, jane.scope, "check_availability", R"({"date":"2031-03-09"})"));
  CHECK(Text(sunday, "message").find("closed") != std::string::npos);

  const ToolResult unknown = RunTool(pool, jane.scope, "check_availability",
                                     R"({"date":"2031-03-10","service":"Massage"})");
  CHECK_FALSE(unknown.ok);
  const auto error = Text(Content(unknown), "error");
  CHECK(error.find("unknown service 'Massage'") != std::string::npos);
  CHECK(error.find("Haircut") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "tools: a booking is stored once, in the business's timezone") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const std::string arguments =
      R"({"service":"Haircut","start":"2031-03-10T14:30","name":"Jane Doe"})";

  const ToolResult first = RunTool(pool, jane.scope, "book_appointment", arguments);
  REQUIRE_MESSAGE(first.ok, first.content);
  const auto booked = Content(first);
  CHECK(Text(booked, "status") == "booked");
  CHECK(Text(booked, "time") == "14:30");
  CHECK(Text(booked, "end_time") == "15:00");
  CHECK(Text(booked, "start") == "2031-03-10T14:30:00+01:00");
  CHECK_FALSE(booked["already_booked"].GetBool());
  const std::string id = Text(booked, "appointment_id");

  // 14:30 in Berlin in March 2031 (CET) is 13:30 UTC.
  CHECK(OwnerValue("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
                   "FROM appointments WHERE id = $1",
                   id) == "2031-03-10 13:30");
  CHECK(OwnerValue("SELECT ends_at - starts_at FROM appointments WHERE id = $1", id) == "00:30:00");
  CHECK(OwnerValue("SELECT service_id FROM appointments WHERE id = $1", id) ==
        ServiceId(tenant.business_id, "Haircut"));
  CHECK(OwnerValue("SELECT name FROM customers WHERE id = $1", jane.scope.customer_id) ==
        "Jane Doe");

  // The model repeats the call, or the record comes again: the same booking, no second row.
  const ToolResult again = RunTool(pool, jane.scope, "book_appointment", arguments);
  CHECK(again.ok);
  const auto repeated = Content(again);
  CHECK(Text(repeated, "status") == "booked");
  CHECK(Text(repeated, "appointment_id") == id);
  CHECK(repeated["already_booked"].GetBool());
  // The same instant written with an offset is the same booking.
  CHECK(Text(Content(RunTool(pool, jane.scope, "book_appointment",
                             R"({"service":"Haircut","start":"2031-03-10T13:30:00Z"})")),
             "appointment_id") == id);
  CHECK(OwnerValue("SELECT count(*) FROM appointments WHERE business_id = $1",
                   tenant.business_id) == "1");

  // It shows up in the customer's info, in local time.
  const auto info = Content(RunTool(pool, jane.scope, "get_customer_info", "{}"));
  CHECK(Text(info, "name") == "Jane Doe");
  REQUIRE(info["upcoming_appointments"].Size() == 1);
  CHECK(Text(info["upcoming_appointments"][0], "appointment_id") == id);
  CHECK(Text(info["upcoming_appointments"][0], "time") == "14:30");
  CHECK(Text(info["upcoming_appointments"][0], "service") == "Haircut");
}

TEST_CASE_FIXTURE(Fixture, "tools: a start that is not a free slot is refused with what is free") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const Customer max = AddCustomer(tenant.business_id);

  const ToolResult lunch = RunTool(pool, jane.scope, "book_appointment",
                                   R"({"service":"Haircut","start":"2031-03-10T12:00"})");
  CHECK_FALSE(lunch.ok);
  const auto refused = Content(lunch);
  CHECK(Text(refused, "error").find("not a bookable start") != std::string::npos);
  CHECK(Has(SlotTimes(refused["available"]), "13:00"));

  CHECK_FALSE(RunTool(pool, jane.scope, "book_appointment",
                      R"({"service":"Haircut","start":"2031-03-09T10:00"})")
                  .ok);  // Sunday
  CHECK_FALSE(RunTool(pool, jane.scope, "book_appointment",
                      R"({"service":"Colour","start":"2031-03-10T11:00"})")
                  .ok);  // runs into the lunch break

  // A time someone else holds is "taken", with the next free starts of that day.
  REQUIRE(RunTool(pool, max.scope, "book_appointment",
                  R"({"service":"Haircut","start":"2031-03-10T09:00"})")
              .ok);
  const ToolResult taken = RunTool(pool, jane.scope, "book_appointment",
                                   R"({"service":"Haircut","start":"2031-03-10T09:00"})");
  CHECK_FALSE(taken.ok);
  const auto alternatives = Content(taken);
  CHECK(Text(alternatives, "status") == "taken");
  CHECK(SlotTimes(alternatives["alternatives"]).front() == "09:30");
  CHECK(OwnerValue("SELECT count(*) FROM appointments WHERE business_id = $1",
                   tenant.business_id) == "1");
}

TEST_CASE_FIXTURE(Fixture, "tools: two customers booking one slot at once get one appointment") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const Customer max = AddCustomer(tenant.business_id);

  // Several rounds on different slots, each started together, so the insert race happens.
  for (const std::string time : {"09:00", "10:00", "11:00", "13:00", "14:00", "15:00"}) {
    CAPTURE(time);
    const std::string arguments = R"({"service":"Haircut","start":"2031-03-11T)" + time + R"("})";
    std::atomic<int> waiting{2};
    ToolResult results[2];
    const auto book = [&](int index, const ToolScope& scope) {
      --waiting;
      while (waiting.load() > 0) std::this_thread::yield();
      results[index] = RunTool(pool, scope, "book_appointment", arguments);
    };
    std::thread first(book, 0, jane.scope);
    std::thread second(book, 1, max.scope);
    first.join();
    second.join();

    CHECK(results[0].ok != results[1].ok);
    const ToolResult& lost = results[0].ok ? results[1] : results[0];
    const auto content = Content(lost);
    CHECK(Text(content, "status") == "taken");
    CHECK_FALSE(content["alternatives"].GetArray().Empty());
    CHECK(OwnerValue("SELECT count(*) FROM appointments WHERE business_id = $1 AND "
                     "starts_at = ('2031-03-11 " +
                         time +
                         "'::timestamp AT TIME ZONE "
                         "'Europe/Berlin')",
                     tenant.business_id) == "1");
  }
}

TEST_CASE_FIXTURE(Fixture, "tools: a customer cancels only their own appointments") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const Customer max = AddCustomer(tenant.business_id);
  const std::string janes = BookDirectly(jane.scope, "2031-03-10 08:00+00", "2031-03-10 08:30+00");
  const std::string maxs = BookDirectly(max.scope, "2031-03-10 13:00+00", "2031-03-10 13:30+00");

  const ToolResult other =
      RunTool(pool, jane.scope, "cancel_appointment", R"({"appointment_id":")" + maxs + R"("})");
  CHECK_FALSE(other.ok);
  CHECK(Text(Content(other), "error").find("not found") != std::string::npos);
  CHECK_FALSE(
      RunTool(pool, jane.scope, "cancel_appointment", R"({"start":"2031-03-10T14:00"})").ok);
  CHECK(OwnerValue("SELECT status FROM appointments WHERE id = $1", maxs) == "booked");

  // By start time, in local time: 09:00 Berlin.
  const ToolResult own =
      RunTool(pool, jane.scope, "cancel_appointment", R"({"start":"2031-03-10T09:00"})");
  REQUIRE_MESSAGE(own.ok, own.content);
  const auto cancelled = Content(own);
  CHECK(Text(cancelled, "status") == "cancelled");
  CHECK(Text(cancelled, "appointment_id") == janes);
  CHECK_FALSE(cancelled["already_cancelled"].GetBool());
  CHECK(OwnerValue("SELECT status FROM appointments WHERE id = $1", janes) == "cancelled");

  const auto repeated = Content(
      RunTool(pool, jane.scope, "cancel_appointment", R"({"appointment_id":")" + janes + R"("})"));
  CHECK(Text(repeated, "status") == "cancelled");
  CHECK(repeated["already_cancelled"].GetBool());
  // An appointment that is over stays as it was.
  const std::string past = BookDirectly(jane.scope, "2031-03-06 08:00+00", "2031-03-06 08:30+00");
  CHECK_FALSE(
      RunTool(pool, jane.scope, "cancel_appointment", R"({"appointment_id":")" + past + R"("})")
          .ok);
  CHECK(OwnerValue("SELECT status FROM appointments WHERE id = $1", past) == "booked");

  // The freed time can be booked again.
  CHECK(RunTool(pool, max.scope, "book_appointment",
                R"({"service":"Haircut","start":"2031-03-10T09:00"})")
            .ok);
}

TEST_CASE_FIXTURE(Fixture, "tools: a tenant cannot see or cancel another tenant's appointment") {
  const auto salon_a = testing::SeedTenant(Salon());
  const auto salon_b = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(salon_a.business_id);
  const Customer bob = AddCustomer(salon_b.business_id);
  const std::string bobs = BookDirectly(bob.scope, "2031-03-10 09:00+00", "2031-03-10 09:30+00");

  const ToolResult cancel =
      RunTool(pool, jane.scope, "cancel_appointment", R"({"appointment_id":")" + bobs + R"("})");
  CHECK_FALSE(cancel.ok);
  CHECK(OwnerValue("SELECT status FROM appointments WHERE id = $1", bobs) == "booked");

  // Even a scope that names B's customer under A's business reaches nothing of B.
  ToolScope mixed = jane.scope;
  mixed.customer_id = bob.scope.customer_id;
  CHECK_FALSE(
      RunTool(pool, mixed, "cancel_appointment", R"({"appointment_id":")" + bobs + R"("})").ok);
  CHECK_FALSE(RunTool(pool, mixed, "get_customer_info", "{}").ok);
  CHECK(OwnerValue("SELECT status FROM appointments WHERE id = $1", bobs) == "booked");

  // B's booking does not make A's calendar busy.
  const auto a_day = Content(RunTool(pool, jane.scope, "check_availability",
                                     R"({"date":"2031-03-10","service":"Haircut"})"));
  CHECK(Has(SlotTimes(a_day["slots"]), "10:00"));
  CHECK(Content(RunTool(pool, jane.scope, "get_customer_info", "{}"))["upcoming_appointments"]
            .GetArray()
            .Empty());
}

TEST_CASE_FIXTURE(Fixture, "tools: services and prices come from the tenant's active services") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const auto services = Content(RunTool(pool, jane.scope, "get_services", ""));
  REQUIRE(services["services"].Size() == 2);
  const auto& colour = services["services"][0];
  CHECK(Text(colour, "name") == "Colour");
  CHECK(colour["duration_minutes"].GetInt() == 90);
  CHECK(Text(colour, "price") == "80.00");
  CHECK(Text(colour, "currency") == "EUR");

  const auto haircut = Content(RunTool(pool, jane.scope, "get_pricing", R"({"service":"hair"})"));
  REQUIRE(haircut["prices"].Size() == 1);
  CHECK(Text(haircut["prices"][0], "service") == "Haircut");
  CHECK(Text(haircut["prices"][0], "price") == "25.00");
  CHECK(Content(RunTool(pool, jane.scope, "get_pricing", "{}"))["prices"].Size() == 2);
}

TEST_CASE_FIXTURE(Fixture, "tools: send_to_human hands the conversation over") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);
  const ToolResult result =
      RunTool(pool, jane.scope, "send_to_human", R"({"reason":"asks for a refund"})");
  CHECK(result.ok);
  CHECK(result.handed_off);
  CHECK(Text(Content(result), "status") == "handed_off");
  // What the agent tells the customer is what the model reads as the result's message.
  REQUIRE(result.customer_notice.has_value());
  CHECK(*result.customer_notice == Text(Content(result), "message"));
  CHECK(OwnerValue("SELECT status || ' ' || needs_human || ' ' || (metadata->>'handoff_reason') "
                   "FROM conversations WHERE id = $1",
                   jane.scope.conversation_id) == "HANDED_OFF true asks for a refund");
  CHECK(RunTool(pool, jane.scope, "send_to_human", "{}").handed_off);
}

TEST_CASE_FIXTURE(Fixture, "tools: update_customer_info saves the customer and one lead") {
  const auto tenant = testing::SeedTenant(Salon());
  const Customer jane = AddCustomer(tenant.business_id);

  const ToolResult bad =
      RunTool(pool, jane.scope, "update_customer_info", R"({"email":"jane at example dot com"})");
  CHECK_FALSE(bad.ok);
  CHECK(OwnerValue("SELECT count(*) FROM leads WHERE customer_id = $1", jane.scope.customer_id) ==
        "0");

  const ToolResult email =
      RunTool(pool, jane.scope, "update_customer_info", R"({"email":"jane@example.com"})");
  REQUIRE_MESSAGE(email.ok, email.content);
  CHECK(Text(Content(email), "lead") == "created");
  const ToolResult name =
      RunTool(pool, jane.scope, "update_customer_info", R"({"name":"Jane Doe"})");
  CHECK(Text(Content(name), "lead") == "updated");

  CHECK(OwnerValue("SELECT count(*) FROM leads WHERE customer_id = $1", jane.scope.customer_id) ==
        "1");
  CHECK(OwnerValue("SELECT name || ' ' || email || ' ' || (phone IS NOT NULL) || ' ' || source "
                   "FROM leads WHERE customer_id = $1",
                   jane.scope.customer_id) == "Jane Doe jane@example.com true agent");
  CHECK(OwnerValue("SELECT name || ' ' || email FROM customers WHERE id = $1",
                   jane.scope.customer_id) == "Jane Doe jane@example.com");
  const auto info = Content(RunTool(pool, jane.scope, "get_customer_info", "{}"));
  CHECK(Text(info, "email") == "jane@example.com");
}

}  // namespace
