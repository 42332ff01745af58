// The tools stage's speech: the agent's tool results (the JSON objects agent::RunTool gives a
// model) as the one line a Vapi assistant gets for a tool call.
#include <doctest/doctest.h>

#include <string>

#include "workers/agent/tools.hpp"
#include "workers/tools/spoken_answer.hpp"

namespace {

using switchboard::agent::ToolResult;
using switchboard::tools::SpeakToolResult;
using switchboard::tools::SpokenAnswer;

ToolResult Ok(std::string content) {
  return ToolResult{.content = std::move(content), .ok = true};
}

ToolResult Refused(std::string content) {
  return ToolResult{.content = std::move(content), .ok = false};
}

void CheckOneLine(const SpokenAnswer& answer) {
  CAPTURE(answer.text);
  CHECK_FALSE(answer.text.empty());
  CHECK(answer.text.find('\n') == std::string::npos);
  CHECK(answer.text.find('*') == std::string::npos);
  CHECK(answer.text.find("- ") != 0);
}

}  // namespace

TEST_CASE("dates are spoken with their weekday, other text is left alone") {
  using switchboard::tools::SpokenDate;
  CHECK(SpokenDate("2031-03-10") == "Monday, March 10");
  CHECK(SpokenDate("2024-05-02") == "Thursday, May 2");
  CHECK(SpokenDate("2026-02-30") == "2026-02-30");
  CHECK(SpokenDate("tomorrow") == "tomorrow");
  CHECK(SpokenDate("2024-05-02x") == "2024-05-02x");
}

TEST_CASE("one line: breaks and runs of space become one space, markdown marks go") {
  using switchboard::tools::OneLine;
  CHECK(OneLine("  **Cleaning**\n\n# Prices\r\n`80 EUR`  ") == "Cleaning Prices 80 EUR");
  CHECK(OneLine("") == "");
}

TEST_CASE("check_availability: the free start times of the day, or why there are none") {
  const SpokenAnswer free = SpeakToolResult(
      "check_availability",
      Ok(R"({"date":"2031-03-10","today":"2031-03-07","timezone":"Europe/Berlin",)"
         R"("service":"Cleaning","duration_minutes":60,"status":"available","slots":[)"
         R"({"time":"09:00","end_time":"10:00","start":"2031-03-10T09:00:00+01:00"},)"
         R"({"time":"10:00","end_time":"11:00","start":"2031-03-10T10:00:00+01:00"},)"
         R"({"time":"13:00","end_time":"14:00","start":"2031-03-10T13:00:00+01:00"}]})"));
  CHECK_FALSE(free.failed);
  CHECK(free.text ==
        "Free start times on Monday, March 10 for Cleaning (60 minutes): 09:00, 10:00 and 13:00.");

  std::string many = R"({"date":"2031-03-10","service":null,"duration_minutes":30,)"
                     R"("status":"available","slots":[)";
  for (int hour = 9; hour < 17; ++hour) {
    for (const char* minute : {"00", "30"}) {
      many += std::string(hour == 9 && minute[0] == '0' ? "" : ",") + R"({"time":")" +
              (hour < 10 ? "0" : "") + std::to_string(hour) + ":" + minute + R"("})";
    }
  }
  many += "]}";
  const SpokenAnswer busy_day = SpeakToolResult("check_availability", Ok(many));
  CHECK(busy_day.text ==
        "Free start times on Monday, March 10: 09:00, 09:30, 10:00, 10:30, 11:00, 11:30, 12:00, "
        "12:30 and 8 more, the last at 16:30.");

  const SpokenAnswer closed = SpeakToolResult(
      "check_availability",
      Ok(R"({"date":"2031-03-09","service":null,"duration_minutes":30,"status":"closed",)"
         R"("message":"The business is closed on that day.","slots":[]})"));
  CHECK_FALSE(closed.failed);
  CHECK(closed.text ==
        "No free start times on Sunday, March 9. The business is closed on that day.");
}

TEST_CASE("book_appointment: booked, taken with the times nearby, or not a start time") {
  const std::string booked_json =
      R"({"status":"booked","appointment_id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",)"
      R"("service":"Cleaning","date":"2031-03-10","time":"10:00","end_time":"11:00",)"
      R"("start":"2031-03-10T10:00:00+01:00","timezone":"Europe/Berlin","already_booked":)";
  const SpokenAnswer booked = SpeakToolResult("book_appointment", Ok(booked_json + "false}"));
  CHECK_FALSE(booked.failed);
  CHECK(booked.text == "Booked Cleaning on Monday, March 10 at 10:00, until 11:00.");
  // The same call run again after a crash finds its booking: the caller hears the same.
  CHECK(SpeakToolResult("book_appointment", Ok(booked_json + "true}")).text == booked.text);

  const SpokenAnswer taken = SpeakToolResult(
      "book_appointment",
      Refused(R"({"status":"taken","requested_start":"2031-03-10T10:00:00+01:00",)"
              R"("message":"That time is no longer free; offer the customer one of the )"
              R"(alternatives.","alternatives":[{"time":"11:00"},{"time":"13:00"}]})"));
  CHECK(taken.failed);
  CHECK(taken.text == "That time is no longer free. Free start times nearby: 11:00 and 13:00.");

  const SpokenAnswer not_a_start = SpeakToolResult(
      "book_appointment",
      Refused(R"({"error":"2031-03-10T10:15:00+01:00 is not a bookable start for Cleaning )"
              R"((available); pick one of the available start times","status":"available",)"
              R"("available":[{"time":"09:00"},{"time":"11:00"}]})"));
  CHECK(not_a_start.failed);
  CHECK(not_a_start.text ==
        "2031-03-10T10:15:00+01:00 is not a bookable start for Cleaning (available); pick one of "
        "the available start times. Free start times that day: 09:00 and 11:00.");
}

TEST_CASE("a refusal speaks the tool's reason as an error") {
  const SpokenAnswer bad = SpeakToolResult(
      "check_availability", Refused(R"({"error":"date must be a date like 2031-03-10"})"));
  CHECK(bad.failed);
  CHECK(bad.text == "date must be a date like 2031-03-10");
  const SpokenAnswer unknown = SpeakToolResult(
      "fly_to_moon", Refused(R"({"error":"unknown tool 'fly_to_moon'; the tools are: a, b"})"));
  CHECK(unknown.failed);
  CHECK(unknown.text == "unknown tool 'fly_to_moon'; the tools are: a, b");
  const SpokenAnswer broken = SpeakToolResult("get_services", Refused("not json"));
  CHECK(broken.failed);
  CHECK(broken.text == "The tool could not run.");
}

TEST_CASE("services, prices, cancellation, customer details, hand-off: one sentence each") {
  const SpokenAnswer services = SpeakToolResult(
      "get_services",
      Ok(R"({"services":[{"id":"s1","name":"Check-up","duration_minutes":30,"price":"60.00",)"
         R"("price_cents":6000,"currency":"EUR","description":"**All** teeth\n- x-ray"},)"
         R"({"id":"s2","name":"Cleaning","duration_minutes":60,"price":"90.50",)"
         R"("price_cents":9050,"currency":"EUR","description":""}]})"));
  CHECK(services.text ==
        "Services: Check-up, 30 minutes, 60 EUR; Cleaning, 60 minutes, 90.50 EUR.");
  CHECK(SpeakToolResult("get_services", Ok(R"({"services":[]})")).text ==
        "The business has no services listed.");

  const SpokenAnswer price = SpeakToolResult(
      "get_pricing", Ok(R"({"prices":[{"service":"Cleaning","price":"90.00","price_cents":9000,)"
                        R"("currency":"EUR","duration_minutes":60}]})"));
  CHECK(price.text == "Cleaning costs 90 EUR and takes 60 minutes.");

  const SpokenAnswer cancelled = SpeakToolResult(
      "cancel_appointment",
      Ok(R"({"status":"cancelled","appointment_id":"a","service":"Cleaning",)"
         R"("date":"2031-03-10","time":"10:00","end_time":"11:00","already_cancelled":false})"));
  CHECK(cancelled.text == "Cancelled Cleaning on Monday, March 10 at 10:00.");

  const SpokenAnswer known = SpeakToolResult(
      "get_customer_info",
      Ok(R"({"name":"Ann Example","phone":"4915112345678","email":"ann@example.com",)"
         R"("timezone":"Europe/Berlin","upcoming_appointments":[{"appointment_id":"a",)"
         R"("service":"Cleaning","date":"2031-03-10","time":"10:00","end_time":"11:00"}]})"));
  CHECK(known.text ==
        "The caller is Ann Example, email ann@example.com. Upcoming appointments: Cleaning on "
        "Monday, March 10 at 10:00.");
  const SpokenAnswer stranger = SpeakToolResult(
      "get_customer_info", Ok(R"({"name":null,"phone":"4915112345678","email":null,)"
                              R"("timezone":"Europe/Berlin","upcoming_appointments":[]})"));
  CHECK(stranger.text ==
        "The caller's name is not on file, no email address on file. No upcoming appointments.");

  const SpokenAnswer saved = SpeakToolResult(
      "update_customer_info",
      Ok(R"({"status":"updated","name":"Ann Example","email":"ann@example.com","lead":"created"})"));
  CHECK(saved.text == "Saved the caller's name Ann Example and email ann@example.com.");

  const SpokenAnswer handed_off = SpeakToolResult(
      "send_to_human",
      Ok(R"({"status":"handed_off","message":"I have passed your conversation to our team; a )"
         R"(person will reply here as soon as possible."})"));
  CHECK_FALSE(handed_off.failed);
  CHECK(handed_off.text.find("reply here") == std::string::npos);  // a call has no "here"

  for (const SpokenAnswer& answer :
       {services, price, cancelled, known, stranger, saved, handed_off}) {
    CheckOneLine(answer);
  }
}

TEST_CASE("tools that act for the caller need the caller's number") {
  using switchboard::tools::NeedsCaller;
  for (const char* tool : {"book_appointment", "cancel_appointment", "send_to_human",
                           "get_customer_info", "update_customer_info"}) {
    CAPTURE(tool);
    CHECK(NeedsCaller(tool));
  }
  for (const char* tool : {"check_availability", "get_services", "get_pricing", "fly_to_moon"}) {
    CAPTURE(tool);
    CHECK_FALSE(NeedsCaller(tool));
  }
  CHECK(switchboard::tools::CallerNumberNeeded().failed);
  CHECK(switchboard::tools::DeadlinePassed().failed);
  CheckOneLine(switchboard::tools::CallerNumberNeeded());
  CheckOneLine(switchboard::tools::DeadlinePassed());
}
