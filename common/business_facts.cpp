#include "common/business_facts.hpp"

#include <cstdio>

#include "common/json.hpp"

namespace switchboard {
namespace {

/// Indexed like WeeklyHours: std::chrono::weekday::c_encoding(), 0 = Sunday.
constexpr std::array<const char*, 7> kDayKeys = {"sunday",   "monday", "tuesday", "wednesday",
                                                 "thursday", "friday", "saturday"};
constexpr std::array<const char*, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                  "Thursday", "Friday", "Saturday"};
// Monday first, as people read a week of opening hours.
constexpr std::array<unsigned, 7> kWeekOrder = {1, 2, 3, 4, 5, 6, 0};

Error HoursError(std::string message) {
  return Error{"opening_hours: " + std::move(message), false};
}

}  // namespace

Result<std::chrono::minutes> ParseClockTime(std::string_view text) {
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return Error{"clock time '" + std::string(text) + "' is not HH:MM", false};
  }
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 24 || minute > 59 || (hour == 24 && minute != 0)) {
    return Error{"clock time '" + std::string(text) + "' is out of range", false};
  }
  return std::chrono::minutes(hour * 60 + minute);
}

Result<WeeklyHours> ParseOpeningHours(std::string_view text) {
  auto document = json::Parse(text, json::InvalidUtf8::kKeep);
  if (!document.ok() || !document->IsObject()) return HoursError("not a JSON object");
  WeeklyHours hours;
  for (std::size_t day = 0; day < kDayKeys.size(); ++day) {
    const json::Value* intervals = json::Find(*document, kDayKeys[day]);
    if (intervals == nullptr || intervals->IsNull()) continue;
    if (!intervals->IsArray()) return HoursError(std::string(kDayKeys[day]) + " is not a list");
    for (const json::Value& interval : intervals->GetArray()) {
      const auto open = json::String(interval, "open");
      const auto close = json::String(interval, "close");
      if (!open || !close) {
        return HoursError(std::string(kDayKeys[day]) +
                          " has an interval without \"open\" and \"close\" strings");
      }
      // Validated here rather than at the first query of that weekday.
      if (!ParseClockTime(*open).ok() || !ParseClockTime(*close).ok()) {
        return HoursError(std::string(kDayKeys[day]) + " has a time that is not HH:MM");
      }
      hours[day].push_back({*open, *close});
    }
  }
  return hours;
}

std::string_view WeekdayName(unsigned c_encoding) {
  return kDayNames[c_encoding % 7];
}

std::string FormatLocalDateTime(std::chrono::local_seconds local) {
  using namespace std::chrono;
  const local_days day = floor<days>(local);
  const year_month_day date(day);
  const hh_mm_ss clock(local - day);
  char text[48];
  std::snprintf(text, sizeof text, "%s %04d-%02u-%02u %02ld:%02ld",
                kDayNames[weekday(day).c_encoding()], static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()));
  return text;
}

std::string FormatPrice(std::int64_t cents, std::string_view currency) {
  char text[48];
  std::snprintf(text, sizeof text, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return std::string(text) + " " + std::string(currency);
}

std::string OpeningHoursText(const WeeklyHours& hours, std::string_view zone_name) {
  std::string text = "Opening hours (local time, " + std::string(zone_name) + "):\n";
  for (const unsigned day : kWeekOrder) {
    text += "- " + std::string(kDayNames[day]) + ": ";
    if (hours[day].empty()) {
      text += "closed\n";
      continue;
    }
    for (std::size_t i = 0; i < hours[day].size(); ++i) {
      if (i > 0) text += ", ";
      text += hours[day][i].open + "-" + hours[day][i].close;
    }
    text += "\n";
  }
  return text;
}

std::string ServicesText(const std::vector<Service>& services) {
  if (services.empty()) return "Services: none listed.\n";
  std::string text = "Services (name, duration, price):\n";
  for (const auto& service : services) {
    text += "- " + service.name + ": " + std::to_string(service.duration.count()) + " min, " +
            FormatPrice(service.price_cents, service.currency);
    if (!service.description.empty()) text += " - " + service.description;
    text += "\n";
  }
  return text;
}

}  // namespace switchboard
