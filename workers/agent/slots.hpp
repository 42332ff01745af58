#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/business_facts.hpp"
#include "common/result.hpp"
#include "common/time_zone.hpp"

namespace switchboard::agent {

// Opening hours and their clock times are common/business_facts.hpp's (ingest describes them too).
using switchboard::OpeningInterval;
using switchboard::ParseClockTime;
using switchboard::ParseOpeningHours;
using switchboard::WeeklyHours;

/// A booked appointment as a half-open UTC interval [start, end).
struct BookedInterval {
  std::chrono::sys_seconds start;
  std::chrono::sys_seconds end;
};

/// Everything SlotsFor needs; plain data so callers and tests build it directly.
struct SlotQuery {
  WeeklyHours hours;
  std::chrono::year_month_day date;    // the local date asked for
  std::chrono::minutes duration{30};   // length of the service
  std::chrono::minutes step{30};       // distance between candidate starts
  std::chrono::minutes buffer{0};      // free time required before and after bookings
  int horizon_days = 60;               // last bookable date = today (local) + horizon
  std::chrono::sys_seconds now;        // injected clock
  std::vector<BookedInterval> booked;  // existing appointments, any order, may overlap
};

/// A free slot: UTC instants to book, and the wall-clock times to show the customer.
struct Slot {
  std::chrono::sys_seconds start;
  std::chrono::sys_seconds end;
  std::chrono::local_seconds local_start;
  std::chrono::local_seconds local_end;
};

/// Whether the day has free slots, and if not, why not.
enum class DayStatus {
  kAvailable,       // slots is not empty
  kClosed,          // no opening hours on that weekday
  kInPast,          // the date is before today (local)
  kBeyondHorizon,   // the date is after today + horizon_days
  kDayOver,         // today, but every slot start has passed
  kFullyBooked,     // existing appointments (with buffer) leave no room
  kServiceTooLong,  // no opening interval is long enough for the service
};

/// The free slots of one local date, or the reason there are none.
struct DaySlots {
  DayStatus status = DayStatus::kClosed;
  std::vector<Slot> slots;  // ascending by start, no duplicates
};

/// A stable lower-case name of `status` for logs and tool results ("fully_booked").
std::string_view DayStatusName(DayStatus status);

/// The free slots of `query.date` in `zone`: starts every `step` from each opening time (in real
/// elapsed time, so DST days have 23 or 25 hours), ending by the closing time, not before `now`,
/// and at least `buffer` away from every booking. Opening times that fall into a DST gap move
/// forward by the gap. An error (not retryable) for malformed hours or non-positive
/// duration/step, negative buffer or horizon.
Result<DaySlots> SlotsFor(const SlotQuery& query, const TimeZone& zone);

}  // namespace switchboard::agent
