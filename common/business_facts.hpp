#pragma once

// What a business is to the people who talk to it, shared by every place that describes it: the
// agent's chat prompt (workers/agent/prompt) and ingest's voice assistant (ingest/vapi_assistant).
// Its opening hours and services, read from their stored forms and written as prompt text.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace switchboard {

/// One opening interval of a day in local wall-clock time, "HH:MM" to "HH:MM" ("24:00" allowed
/// as close); close must be after open (no intervals across midnight).
struct OpeningInterval {
  std::string open;
  std::string close;
};

/// Opening hours per weekday, indexed by std::chrono::weekday::c_encoding() (0 = Sunday).
/// A weekday without intervals is closed.
using WeeklyHours = std::array<std::vector<OpeningInterval>, 7>;

/// A service the business offers (an active services row).
struct Service {
  std::string id;
  std::string name;
  std::chrono::minutes duration{0};
  std::int64_t price_cents = 0;
  std::string currency;
  std::string description;
};

/// Minutes after midnight of "HH:MM" (00:00 to 24:00); an error for anything else.
Result<std::chrono::minutes> ParseClockTime(std::string_view text);

/// The weekly hours stored in businesses.opening_hours: {"monday": [{"open": "09:00", "close":
/// "17:00"}], ..., "sunday": []}. A missing, null or empty day is closed; keys that are not
/// lower-case English weekday names are ignored. An error (not retryable) when the text is not
/// such an object or an interval is not a pair of "HH:MM" strings.
Result<WeeklyHours> ParseOpeningHours(std::string_view json);

/// The English name of a weekday by c_encoding() (0 = "Sunday").
std::string_view WeekdayName(unsigned c_encoding);

/// "Tuesday 2025-01-07 14:05" of a wall-clock time.
std::string FormatLocalDateTime(std::chrono::local_seconds local);

/// A price in cents as text, e.g. "45.00 EUR".
std::string FormatPrice(std::int64_t cents, std::string_view currency);

/// "Opening hours (local time, <zone>):" and a line per weekday, Monday first, e.g.
/// "- Monday: 09:00-12:00, 13:00-18:00" or "- Sunday: closed".
std::string OpeningHoursText(const WeeklyHours& hours, std::string_view zone_name);

/// "Services (name, duration, price):" and a line per service ("- Cleaning: 30 min, 45.00 EUR -
/// <description>"), or "Services: none listed." when there are none.
std::string ServicesText(const std::vector<Service>& services);

}  // namespace switchboard
