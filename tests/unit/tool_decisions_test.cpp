// The tools' decisions (workers/agent/tools.hpp) against a fake ToolStore that keeps one
// business in memory: what a tool answers for booked, taken and closed times, lost races,
// cancellations, handovers and leads, without a database. The SQL itself is tested by
// tests/integration/tools_test.cpp. "Now" is Friday 2031-03-07 12:00 UTC; the business is in UTC.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.hpp"
#include "common/stage_runtime.hpp"
#include "workers/agent/tools.hpp"

namespace switchboard::agent {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const sys_seconds kNow = sys_days(2031y / 3 / 7) + 12h;
const sys_seconds kMonday = sys_days(2031y / 3 / 10);

const ToolScope kScope{"00000000-0000-4000-8000-000000000001",
                       "00000000-0000-4000-8000-000000000002",
                       "00000000-0000-4000-8000-000000000003", kNow};

/// Mon-Fri 09:00-12:00 and 13:00-17:00 in UTC, bookable 60 days ahead, one 30-minute Haircut.
BookingRules SalonRules() {
  auto zone = TimeZone::Load("UTC");
  REQUIRE(zone.ok());
  WeeklyHours hours;
  for (unsigned day = 1; day <= 5; ++day) hours[day] = {{"09:00", "12:00"}, {"13:00", "17:00"}};
  return BookingRules{*zone, hours, 60, 0min};
}

/// One business, one customer and their conversation, in memory. Writes apply at once; Commit()
/// only counts, so a test sees what a tool wrote and whether it committed.
class FakeToolStore final : public ToolStore {
 public:
  Result<BookingRules> rules = SalonRules();
  std::vector<Service> services = {{"svc-haircut", "Haircut", 30min, 2500, "EUR", "A cut"}};
  /// The customer's appointments, booked or cancelled.
  std::vector<Appointment> appointments;
  /// Other customers' bookings.
  std::vector<BookedInterval> others;
  std::optional<CustomerContact> customer = CustomerContact{std::nullopt, std::nullopt, "4915100"};
  std::vector<CustomerContact> leads;
  std::string conversation_status = "ACTIVE";
  std::optional<std::string> handoff_reason;
  /// InsertAppointment loses a race with another booking this many times first.
  int races_to_lose = 0;
  int begun = 0;
  int commits = 0;

  std::unique_ptr<ToolWork> Begin(const ToolScope& scope) override {
    CHECK(scope.business_id == kScope.business_id);
    ++begun;
    return std::make_unique<Work>(*this);
  }

 private:
  class Work final : public ToolWork {
   public:
    explicit Work(FakeToolStore& store) : store_(store) {}

    Result<BookingRules> Rules() override { return store_.rules; }
    std::vector<Service> ActiveServices() override { return store_.services; }
    std::vector<BookedInterval> BookedDuring(const UtcSpan& span) override {
      std::vector<BookedInterval> booked;
      for (const auto& other : store_.others) {
        if (other.start < span.to && other.end > span.from) booked.push_back(other);
      }
      for (const auto& own : store_.appointments) {
        if (own.booked && own.start < span.to && own.end > span.from) {
          booked.push_back({own.start, own.end});
        }
      }
      return booked;
    }
    std::optional<Appointment> FindBookedAt(std::string_view service_id,
                                            sys_seconds start) override {
      for (const auto& own : store_.appointments) {
        if (own.booked && own.service_id == service_id && own.start == start) return own;
      }
      return std::nullopt;
    }
    std::optional<std::string> InsertAppointment(const Service& service,
                                                 sys_seconds start) override {
      if (store_.races_to_lose > 0) {
        --store_.races_to_lose;
        return std::nullopt;
      }
      const std::string id = "appointment-" + std::to_string(store_.appointments.size() + 1);
      store_.appointments.push_back(
          {id, service.id, service.name, start, start + service.duration, true});
      return id;
    }
    std::vector<Appointment> FindOwnAppointments(const std::optional<std::string>& id,
                                                 const std::optional<sys_seconds>& start) override {
      std::vector<Appointment> found;
      for (const auto& own : store_.appointments) {
        if ((!id || own.id == *id) && (!start || own.start == *start)) found.push_back(own);
      }
      std::stable_partition(found.begin(), found.end(),
                            [](const Appointment& appointment) { return appointment.booked; });
      return found;
    }
    void CancelAppointment(std::string_view id) override {
      for (auto& own : store_.appointments) {
        if (own.id == id) own.booked = false;
      }
    }
    std::vector<Appointment> UpcomingAppointments(sys_seconds now) override {
      std::vector<Appointment> upcoming;
      for (const auto& own : store_.appointments) {
        if (own.booked && own.end > now) upcoming.push_back(own);
      }
      return upcoming;
    }
    std::optional<CustomerContact> Customer() override { return store_.customer; }
    std::optional<CustomerContact> UpdateCustomer(
        const std::optional<std::string>& name, const std::optional<std::string>& email) override {
      if (!store_.customer) return std::nullopt;
      if (name) store_.customer->name = name;
      if (email) store_.customer->email = email;
      return store_.customer;
    }
    LeadChange SaveLead(const CustomerContact& contact) override {
      if (store_.leads.empty()) {
        store_.leads.push_back(contact);
        return LeadChange::kCreated;
      }
      store_.leads.back() = contact;
      return LeadChange::kUpdated;
    }
    bool HandOff(const std::optional<std::string>& reason) override {
      if (store_.conversation_status == "CLOSED") return false;
      store_.conversation_status = "HANDED_OFF";
      store_.handoff_reason = reason;
      return true;
    }
    void Commit() override { ++store_.commits; }

   private:
    FakeToolStore& store_;
  };
};

rapidjson::Document Content(const ToolResult& result) {
  auto document = json::Parse(result.content);
  REQUIRE_MESSAGE(document.ok(), result.content);
  REQUIRE_MESSAGE(document->IsObject(), result.content);
  return std::move(document).value();
}

std::string Text(const rapidjson::Value& object, const char* name) {
  const auto text = json::String(object, name);
  REQUIRE_MESSAGE(text.has_value(), name);
  return *text;
}

bool Mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("tool decisions: arguments are checked before any work begins") {
  FakeToolStore store;
  for (const char* tool : {"book_appointment", "cancel_appointment", "update_customer_info"}) {
    CAPTURE(tool);
    CHECK_FALSE(RunTool(store, kScope, tool, "{}").ok);
  }
  CHECK_FALSE(RunTool(store, kScope, "check_availability", R"({"date":"soon"})").ok);
  CHECK(store.begun == 0);
}

TEST_CASE("tool decisions: a free start is booked once, and a repeated call finds the booking") {
  FakeToolStore store;
  const std::string arguments = R"({"service":"haircut","start":"2031-03-10T09:00","name":"Jane"})";

  const ToolResult first = RunTool(store, kScope, "book_appointment", arguments);
  REQUIRE_MESSAGE(first.ok, first.content);
  CHECK(Text(Content(first), "status") == "booked");
  CHECK(Text(Content(first), "time") == "09:00");
  CHECK_FALSE(Content(first)["already_booked"].GetBool());
  REQUIRE(store.appointments.size() == 1);
  CHECK(store.appointments[0].start == kMonday + 9h);
  CHECK(store.customer->name == "Jane");
  CHECK(store.commits == 1);

  const ToolResult again = RunTool(store, kScope, "book_appointment", arguments);
  REQUIRE(again.ok);
  CHECK(Content(again)["already_booked"].GetBool());
  CHECK(Text(Content(again), "appointment_id") == Text(Content(first), "appointment_id"));
  CHECK(store.appointments.size() == 1);
}

TEST_CASE("tool decisions: a start another customer holds is taken, with the next free starts") {
  FakeToolStore store;
  store.others = {{kMonday + 9h, kMonday + 9h + 30min}};

  const ToolResult taken = RunTool(store, kScope, "book_appointment",
                                   R"({"service":"Haircut","start":"2031-03-10T09:00"})");
  CHECK_FALSE(taken.ok);
  const auto content = Content(taken);
  CHECK(Text(content, "status") == "taken");
  REQUIRE(content["alternatives"].Size() > 0);
  CHECK(Text(content["alternatives"][0], "time") == "09:30");
  CHECK(store.appointments.empty());
  CHECK(store.commits == 0);
}

TEST_CASE("tool decisions: a start outside the opening hours is refused with the day's starts") {
  FakeToolStore store;
  const ToolResult lunch = RunTool(store, kScope, "book_appointment",
                                   R"({"service":"Haircut","start":"2031-03-10T12:00"})");
  CHECK_FALSE(lunch.ok);
  const auto content = Content(lunch);
  CHECK(Mentions(Text(content, "error"), "is not a bookable start for Haircut"));
  CHECK(content["available"].Size() > 0);
  CHECK(store.appointments.empty());
}

TEST_CASE("tool decisions: a booking that loses its race looks again, and gives up retryably") {
  FakeToolStore store;
  const std::string arguments = R"({"service":"Haircut","start":"2031-03-10T10:00"})";

  SUBCASE("one lost race: the next attempt books") {
    store.races_to_lose = 1;
    const ToolResult result = RunTool(store, kScope, "book_appointment", arguments);
    CHECK(result.ok);
    CHECK(store.begun == 2);
    CHECK(store.appointments.size() == 1);
  }
  SUBCASE("every race lost: the record is retried") {
    store.races_to_lose = 100;
    CHECK_THROWS_AS(RunTool(store, kScope, "book_appointment", arguments), RetryableError);
    CHECK(store.begun == 3);
    CHECK(store.appointments.empty());
  }
}

TEST_CASE("tool decisions: a business with broken settings points the model at a person") {
  FakeToolStore store;
  store.rules = Error{"malformed opening hours", false};
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"check_availability", R"({"date":"2031-03-10"})"},
      {"book_appointment", R"({"service":"Haircut","start":"2031-03-10T09:00"})"},
      {"cancel_appointment", R"({"start":"2031-03-10T09:00"})"},
      {"get_customer_info", "{}"}};
  for (const auto& [tool, arguments] : calls) {
    CAPTURE(tool);
    const ToolResult result = RunTool(store, kScope, tool, arguments);
    CHECK_FALSE(result.ok);
    CHECK(Mentions(Text(Content(result), "error"), "send_to_human"));
  }
  CHECK(store.commits == 0);
}

TEST_CASE("tool decisions: cancelling refuses a started appointment and repeats its answer") {
  FakeToolStore store;
  store.appointments = {
      {"past", "svc-haircut", "Haircut", kNow - 10min, kNow + 20min, true},
      {"next", "svc-haircut", "Haircut", kMonday + 9h, kMonday + 9h + 30min, true}};

  const ToolResult started =
      RunTool(store, kScope, "cancel_appointment", R"({"start":"2031-03-07T11:50"})");
  CHECK_FALSE(started.ok);
  CHECK(Mentions(Text(Content(started), "error"), "already started"));
  CHECK(store.appointments[0].booked);

  const ToolResult cancelled =
      RunTool(store, kScope, "cancel_appointment", R"({"start":"2031-03-10T09:00"})");
  REQUIRE_MESSAGE(cancelled.ok, cancelled.content);
  CHECK(Text(Content(cancelled), "status") == "cancelled");
  CHECK_FALSE(Content(cancelled)["already_cancelled"].GetBool());
  CHECK_FALSE(store.appointments[1].booked);

  const ToolResult again =
      RunTool(store, kScope, "cancel_appointment", R"({"start":"2031-03-10T09:00"})");
  REQUIRE(again.ok);
  CHECK(Content(again)["already_cancelled"].GetBool());
}

TEST_CASE("tool decisions: send_to_human hands over with a notice for the customer") {
  FakeToolStore store;

  const ToolResult result =
      RunTool(store, kScope, "send_to_human", R"({"reason":"asks for a refund"})");
  CHECK(result.ok);
  CHECK(result.handed_off);
  REQUIRE(result.customer_notice.has_value());
  CHECK(*result.customer_notice == Text(Content(result), "message"));
  CHECK(Mentions(*result.customer_notice, "a person will reply"));
  CHECK(store.conversation_status == "HANDED_OFF");
  CHECK(store.handoff_reason == "asks for a refund");
  CHECK(store.commits == 1);
}

TEST_CASE(
    "tool decisions: a closed conversation is not handed over and the customer gets no notice") {
  FakeToolStore store;
  store.conversation_status = "CLOSED";

  const ToolResult result = RunTool(store, kScope, "send_to_human", "{}");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.handed_off);
  CHECK_FALSE(result.customer_notice.has_value());
  CHECK(Mentions(Text(Content(result), "error"), "closed"));
  CHECK(store.conversation_status == "CLOSED");
}

TEST_CASE("tool decisions: update_customer_info creates one lead, then updates it") {
  FakeToolStore store;

  const ToolResult email =
      RunTool(store, kScope, "update_customer_info", R"({"email":"jane@example.com"})");
  REQUIRE_MESSAGE(email.ok, email.content);
  CHECK(Text(Content(email), "lead") == "created");
  CHECK(Content(email)["name"].IsNull());

  const ToolResult name = RunTool(store, kScope, "update_customer_info", R"({"name":"Jane Doe"})");
  CHECK(Text(Content(name), "lead") == "updated");
  REQUIRE(store.leads.size() == 1);
  CHECK(store.leads[0].name == "Jane Doe");
  CHECK(store.leads[0].email == "jane@example.com");
  CHECK(store.leads[0].phone == "4915100");

  store.customer.reset();
  const ToolResult missing = RunTool(store, kScope, "update_customer_info", R"({"name":"Jane"})");
  CHECK_FALSE(missing.ok);
  CHECK(Mentions(Text(Content(missing), "error"), "customer record is missing"));
}

TEST_CASE("tool decisions: get_customer_info writes null for what is not known") {
  FakeToolStore store;
  store.appointments = {
      {"next", "svc-haircut", "Haircut", kMonday + 9h, kMonday + 9h + 30min, true}};

  const ToolResult info = RunTool(store, kScope, "get_customer_info", "{}");
  REQUIRE(info.ok);
  const auto content = Content(info);
  CHECK(content["name"].IsNull());
  CHECK(content["email"].IsNull());
  CHECK(Text(content, "phone") == "4915100");
  REQUIRE(content["upcoming_appointments"].Size() == 1);
  CHECK(Text(content["upcoming_appointments"][0], "date") == "2031-03-10");
}

}  // namespace
}  // namespace switchboard::agent
