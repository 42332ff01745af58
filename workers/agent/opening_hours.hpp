#pragma once

#include <string_view>

#include "common/result.hpp"
#include "workers/agent/slots.hpp"

namespace switchboard::agent {

/// The weekly hours stored in businesses.opening_hours: {"monday": [{"open": "09:00", "close":
/// "17:00"}], ..., "sunday": []}. A missing, null or empty day is closed; keys that are not
/// lower-case English weekday names are ignored. An error (not retryable) when the text is not
/// such an object or an interval is not a pair of "HH:MM" strings.
Result<WeeklyHours> ParseOpeningHours(std::string_view json);

}  // namespace switchboard::agent
