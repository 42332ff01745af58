#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/time_zone.hpp"

namespace switchboard::agent {

/// The calendar date "YYYY-MM-DD"; an error naming the expected form for anything else,
/// including dates that do not exist (2026-02-30).
Result<std::chrono::year_month_day> ParseDate(std::string_view text);

/// A start time as the model writes it: the business's wall-clock time, or an instant when the
/// text carries a UTC offset.
struct StartTime {
  std::chrono::local_seconds local;
  /// Set when the text ended in "Z" or "+HH:MM"/"-HH:MM": `local` is then the time at that offset.
  std::optional<std::chrono::seconds> utc_offset;
};

/// "YYYY-MM-DDTHH:MM", optionally with ":SS" and an offset ("Z", "+01:00", "+0100"); a space may
/// stand for the "T". An error naming the expected form for anything else.
Result<StartTime> ParseStartTime(std::string_view text);

/// The instant `start` denotes: its own offset when it has one, else the wall clock of `zone`.
std::chrono::sys_seconds InstantOf(const StartTime& start, const TimeZone& zone);

/// "YYYY-MM-DD" of a wall-clock time.
std::string FormatDate(std::chrono::local_seconds local);

/// "HH:MM" of a wall-clock time.
std::string FormatClock(std::chrono::local_seconds local);

/// `instant` as ISO-8601 wall-clock time of `zone` with its offset, e.g.
/// "2026-03-10T09:30:00+01:00".
std::string FormatIsoInZone(std::chrono::sys_seconds instant, const TimeZone& zone);

}  // namespace switchboard::agent
