#include "workers/agent/opening_hours.hpp"

#include <rapidjson/document.h>

#include <array>
#include <string>

namespace switchboard::agent {

namespace {

/// Indexed like WeeklyHours: std::chrono::weekday::c_encoding(), 0 = Sunday.
constexpr std::array<const char*, 7> kDayNames = {"sunday",   "monday", "tuesday", "wednesday",
                                                  "thursday", "friday", "saturday"};

Error HoursError(std::string message) {
  return Error{"opening_hours: " + std::move(message), false};
}

}  // namespace

Result<WeeklyHours> ParseOpeningHours(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) return HoursError("not a JSON object");
  WeeklyHours hours;
  for (std::size_t day = 0; day < kDayNames.size(); ++day) {
    const auto member = document.FindMember(kDayNames[day]);
    if (member == document.MemberEnd() || member->value.IsNull()) continue;
    if (!member->value.IsArray()) return HoursError(std::string(kDayNames[day]) + " is not a list");
    for (const auto& interval : member->value.GetArray()) {
      if (!interval.IsObject() || !interval.HasMember("open") || !interval.HasMember("close") ||
          !interval["open"].IsString() || !interval["close"].IsString()) {
        return HoursError(std::string(kDayNames[day]) +
                          " has an interval without \"open\" and \"close\" strings");
      }
      const std::string open = interval["open"].GetString();
      const std::string close = interval["close"].GetString();
      // Validated here rather than at the first query of that weekday.
      if (!ParseClockTime(open).ok() || !ParseClockTime(close).ok()) {
        return HoursError(std::string(kDayNames[day]) + " has a time that is not HH:MM");
      }
      hours[day].push_back({open, close});
    }
  }
  return hours;
}

}  // namespace switchboard::agent
