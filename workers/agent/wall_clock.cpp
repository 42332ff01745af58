#include "workers/agent/wall_clock.hpp"

#include <cstdio>

#include "common/text_shapes.hpp"

namespace switchboard::agent {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::local_days;
using std::chrono::minutes;
using std::chrono::seconds;

std::optional<std::chrono::year_month_day> DateAt(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const int year = DigitsAt(text, 0, 4);
  const int month = DigitsAt(text, 5, 2);
  const int day = DigitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

/// The offset at the end of a start time: "Z", "+HH:MM", "+HHMM" or "+HH".
std::optional<seconds> OffsetOf(std::string_view text) {
  if (text == "Z" || text == "z") return seconds(0);
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const int hour = DigitsAt(text, 1, 2);
  int minute = 0;
  if (text.size() == 6 && text[3] == ':') {
    minute = DigitsAt(text, 4, 2);
  } else if (text.size() == 5) {
    minute = DigitsAt(text, 3, 2);
  } else if (text.size() != 3) {
    return std::nullopt;
  }
  if (hour < 0 || minute < 0 || hour > 18 || minute > 59) return std::nullopt;
  const seconds offset = hours(hour) + minutes(minute);
  return text[0] == '-' ? -offset : offset;
}

}  // namespace

Result<std::chrono::year_month_day> ParseDate(std::string_view text) {
  auto date = text.size() == 10 ? DateAt(text) : std::nullopt;
  if (!date) {
    return Error{"'" + std::string(text) + "' is not a date: use YYYY-MM-DD, e.g. 2026-03-10",
                 false};
  }
  return *date;
}

Result<StartTime> ParseStartTime(std::string_view text) {
  const Error malformed{"'" + std::string(text) +
                            "' is not a start time: use YYYY-MM-DDTHH:MM in the business's local "
                            "time, e.g. 2026-03-10T14:30",
                        false};
  const auto date = DateAt(text);
  if (!date || text.size() < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      text[13] != ':') {
    return malformed;
  }
  const int hour = DigitsAt(text, 11, 2);
  const int minute = DigitsAt(text, 14, 2);
  int second = 0;
  std::size_t rest = 16;
  if (text.size() >= 19 && text[16] == ':') {
    second = DigitsAt(text, 17, 2);
    rest = 19;
  }
  if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 59) {
    return malformed;
  }
  StartTime start{local_days(*date) + hours(hour) + minutes(minute) + seconds(second),
                  std::nullopt};
  if (rest < text.size()) {
    start.utc_offset = OffsetOf(text.substr(rest));
    if (!start.utc_offset) return malformed;
  }
  return start;
}

std::chrono::sys_seconds InstantOf(const StartTime& start, const TimeZone& zone) {
  if (start.utc_offset) {
    return std::chrono::sys_seconds(start.local.time_since_epoch() - *start.utc_offset);
  }
  return zone.ToUtc(start.local);
}

std::string FormatDate(std::chrono::local_seconds local) {
  const std::chrono::year_month_day date(std::chrono::floor<days>(local));
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

std::string FormatClock(std::chrono::local_seconds local) {
  const auto of_day = local - std::chrono::floor<days>(local);
  const auto total_minutes = std::chrono::duration_cast<minutes>(of_day).count();
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(total_minutes / 60),
                static_cast<int>(total_minutes % 60));
  return text;
}

std::string FormatIsoInZone(std::chrono::sys_seconds instant, const TimeZone& zone) {
  const std::chrono::local_seconds local = zone.ToLocal(instant);
  const auto of_day = local - std::chrono::floor<days>(local);
  const long long second = of_day.count() % 60;
  const long long offset_minutes = zone.OffsetAt(instant).count() / 60;
  const long long magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char text[40];
  std::snprintf(text, sizeof text, "%sT%s:%02lld%c%02lld:%02lld", FormatDate(local).c_str(),
                FormatClock(local).c_str(), second, offset_minutes < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return text;
}

}  // namespace switchboard::agent
