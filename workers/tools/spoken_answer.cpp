#include "workers/tools/spoken_answer.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "common/json.hpp"

namespace switchboard::tools {

namespace {

/// At most this many start times are read out; the rest are counted.
constexpr std::size_t kMaxSpokenTimes = 8;

constexpr std::array<const char*, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};

std::string Text(const json::Value& object, std::string_view name) {
  return OneLine(json::String(object, name).value_or(""));
}

/// "a", "a and b", "a, b and c".
std::string JoinSpoken(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += i + 1 == items.size() ? " and " : ", ";
    text += items[i];
  }
  return text;
}

/// "80 EUR", or "80.50 EUR" when there are cents.
std::string SpokenPrice(const json::Value& item) {
  const std::int64_t cents = json::Int(item, "price_cents").value_or(0);
  std::string text = std::to_string(cents / 100);
  if (cents % 100 != 0) {
    char fraction[4];
    std::snprintf(fraction, sizeof fraction, ".%02d", static_cast<int>(cents % 100));
    text += fraction;
  }
  const std::string currency = Text(item, "currency");
  return currency.empty() ? text : text + " " + currency;
}

std::string Minutes(const json::Value& item) {
  return std::to_string(json::Int(item, "duration_minutes").value_or(0)) + " minutes";
}

/// The "time" members of the slot objects in `array_name`, at most kMaxSpokenTimes read out and
/// the rest counted: "09:00, 09:30 and 10:00" or "09:00, ..., 12:30 and 6 more, the last at
/// 16:30". Empty when there are none.
std::string SpokenTimes(const json::Value& result, std::string_view array_name) {
  const json::Value* slots = json::Find(result, array_name);
  if (slots == nullptr || !slots->IsArray() || slots->Empty()) return "";
  std::vector<std::string> times;
  for (const json::Value& slot : slots->GetArray()) {
    if (slot.IsObject()) times.push_back(Text(slot, "time"));
  }
  if (times.size() <= kMaxSpokenTimes) return JoinSpoken(times);
  const std::string last = times.back();
  const std::size_t more = times.size() - kMaxSpokenTimes;
  times.resize(kMaxSpokenTimes);
  times.push_back(std::to_string(more) + " more, the last at " + last);
  return JoinSpoken(times);
}

/// "Cleaning on Thursday, May 2 at 10:00" of an appointment object.
std::string SpokenAppointment(const json::Value& appointment) {
  return Text(appointment, "service") + " on " + SpokenDate(Text(appointment, "date")) + " at " +
         Text(appointment, "time");
}

std::string CheckAvailabilityText(const json::Value& result) {
  const std::string date = SpokenDate(Text(result, "date"));
  const std::string service = Text(result, "service");
  const std::string times = SpokenTimes(result, "slots");
  if (times.empty()) {
    const std::string why = Text(result, "message");
    return "No free start times on " + date + (service.empty() ? "" : " for " + service) + "." +
           (why.empty() ? "" : " " + why);
  }
  return "Free start times on " + date +
         (service.empty() ? "" : " for " + service + " (" + Minutes(result) + ")") + ": " + times +
         ".";
}

std::string BookedText(const json::Value& result) {
  return "Booked " + SpokenAppointment(result) + ", until " + Text(result, "end_time") + ".";
}

/// Why a booking was refused, with the times it offered instead.
std::string BookingRefusedText(const json::Value& result) {
  if (Text(result, "status") == "taken") {
    const std::string alternatives = SpokenTimes(result, "alternatives");
    return alternatives.empty()
               ? "That time is no longer free, and no other start time is free that day."
               : "That time is no longer free. Free start times nearby: " + alternatives + ".";
  }
  const std::string available = SpokenTimes(result, "available");
  return Text(result, "error") +
         (available.empty() ? "" : ". Free start times that day: " + available + ".");
}

std::string CancelledText(const json::Value& result) {
  return "Cancelled " + SpokenAppointment(result) + ".";
}

std::string ServicesText(const json::Value& result) {
  const json::Value* services = json::Find(result, "services");
  std::vector<std::string> items;
  if (services != nullptr && services->IsArray()) {
    for (const json::Value& service : services->GetArray()) {
      if (!service.IsObject()) continue;
      items.push_back(Text(service, "name") + ", " + Minutes(service) + ", " +
                      SpokenPrice(service));
    }
  }
  if (items.empty()) return "The business has no services listed.";
  std::string text = "Services: ";
  for (std::size_t i = 0; i < items.size(); ++i) text += (i > 0 ? "; " : "") + items[i];
  return text + ".";
}

std::string PricesText(const json::Value& result) {
  const json::Value* prices = json::Find(result, "prices");
  std::vector<std::string> items;
  if (prices != nullptr && prices->IsArray()) {
    for (const json::Value& price : prices->GetArray()) {
      if (!price.IsObject()) continue;
      items.push_back(Text(price, "service") + " costs " + SpokenPrice(price) + " and takes " +
                      Minutes(price));
    }
  }
  if (items.empty()) return "The business has no prices listed.";
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) text += (i > 0 ? "; " : "") + items[i];
  return text + ".";
}

std::string CustomerText(const json::Value& result) {
  const std::string name = Text(result, "name");
  const std::string email = Text(result, "email");
  std::string text = name.empty() ? "The caller's name is not on file" : "The caller is " + name;
  text += email.empty() ? ", no email address on file." : ", email " + email + ".";
  const json::Value* upcoming = json::Find(result, "upcoming_appointments");
  std::vector<std::string> appointments;
  if (upcoming != nullptr && upcoming->IsArray()) {
    for (const json::Value& appointment : upcoming->GetArray()) {
      if (appointment.IsObject()) appointments.push_back(SpokenAppointment(appointment));
    }
  }
  if (appointments.empty()) return text + " No upcoming appointments.";
  return text + " Upcoming appointments: " + JoinSpoken(appointments) + ".";
}

std::string UpdatedText(const json::Value& result) {
  std::vector<std::string> saved;
  if (const std::string name = Text(result, "name"); !name.empty()) saved.push_back("name " + name);
  if (const std::string email = Text(result, "email"); !email.empty()) {
    saved.push_back("email " + email);
  }
  return "Saved the caller's " + JoinSpoken(saved) + ".";
}

/// The sentence of a successful result of `tool`; empty for a tool this unit does not know.
std::string SucceededText(std::string_view tool, const json::Value& result) {
  if (tool == "check_availability") return CheckAvailabilityText(result);
  if (tool == "book_appointment") return BookedText(result);
  if (tool == "cancel_appointment") return CancelledText(result);
  if (tool == "get_services") return ServicesText(result);
  if (tool == "get_pricing") return PricesText(result);
  if (tool == "send_to_human") {
    return "The team has been asked to take over; a person will get back to the caller as soon "
           "as possible.";
  }
  if (tool == "get_customer_info") return CustomerText(result);
  if (tool == "update_customer_info") return UpdatedText(result);
  return "";
}

}  // namespace

std::string OneLine(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  bool space = false;
  for (const char c : text) {
    if (c == '*' || c == '#' || c == '`') continue;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !line.empty();
      continue;
    }
    if (space) line += ' ';
    space = false;
    line += c;
  }
  return line;
}

std::string SpokenDate(std::string_view iso_date) {
  using namespace std::chrono;
  unsigned y = 0, m = 0, d = 0;
  char tail = 0;
  const std::string text(iso_date);
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return text;
  }
  const year_month_day date{year(static_cast<int>(y)), month(m), day(d)};
  if (!date.ok()) return text;
  const weekday weekday_of{sys_days(date)};
  return std::string(kWeekdays[weekday_of.c_encoding()]) + ", " + kMonths[m - 1] + " " +
         std::to_string(d);
}

SpokenAnswer SpeakToolResult(std::string_view tool, const agent::ToolResult& result) {
  const auto parsed = json::Parse(result.content, json::InvalidUtf8::kKeep);
  const bool object = parsed.ok() && parsed->IsObject();
  if (!result.ok) {
    std::string text;
    if (object)
      text = tool == "book_appointment" ? BookingRefusedText(*parsed) : Text(*parsed, "error");
    return {.text = OneLine(text.empty() ? "The tool could not run." : text), .failed = true};
  }
  std::string text = object ? SucceededText(tool, *parsed) : "";
  return {.text = OneLine(text.empty() ? "Done." : text), .failed = false};
}

bool NeedsCaller(std::string_view tool) {
  return tool == "book_appointment" || tool == "cancel_appointment" || tool == "send_to_human" ||
         tool == "get_customer_info" || tool == "update_customer_info";
}

SpokenAnswer CallerNumberNeeded() {
  return {.text =
              "This needs the caller's phone number, and this call has none; offer to take "
              "the request by phone or message instead.",
          .failed = true};
}

SpokenAnswer DeadlinePassed() {
  return {.text = "The tool took too long to answer; apologise and try again.", .failed = true};
}

}  // namespace switchboard::tools
