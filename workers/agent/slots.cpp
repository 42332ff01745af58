#include "workers/agent/slots.hpp"

#include <algorithm>

namespace switchboard::agent {

namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::minutes;
using std::chrono::sys_seconds;

Error SlotError(std::string message) {
  return Error{"slots: " + std::move(message), false};
}

bool ConflictsWithBooking(sys_seconds start, sys_seconds end, const SlotQuery& query) {
  return std::any_of(query.booked.begin(), query.booked.end(), [&](const BookedInterval& b) {
    return start < b.end + query.buffer && b.start < end + query.buffer;
  });
}

}  // namespace

std::string_view DayStatusName(DayStatus status) {
  switch (status) {
    case DayStatus::kAvailable:
      return "available";
    case DayStatus::kClosed:
      return "closed";
    case DayStatus::kInPast:
      return "in_past";
    case DayStatus::kBeyondHorizon:
      return "beyond_horizon";
    case DayStatus::kDayOver:
      return "day_over";
    case DayStatus::kFullyBooked:
      return "fully_booked";
    case DayStatus::kServiceTooLong:
      return "service_too_long";
  }
  return "unknown";
}

Result<DaySlots> SlotsFor(const SlotQuery& query, const TimeZone& zone) {
  if (!query.date.ok()) return SlotError("the date asked for is not a valid date");
  if (query.duration <= minutes(0)) return SlotError("service duration must be positive");
  if (query.step <= minutes(0)) return SlotError("slot step must be positive");
  if (query.buffer < minutes(0)) return SlotError("buffer must not be negative");
  if (query.horizon_days < 0) return SlotError("booking horizon must not be negative");

  const local_days date(query.date);
  const std::vector<OpeningInterval>& intervals =
      query.hours[std::chrono::weekday(date).c_encoding()];
  // Validate the hours before any early answer, so bad settings surface on every query.
  std::vector<std::pair<minutes, minutes>> opening;
  for (const OpeningInterval& interval : intervals) {
    auto open = ParseClockTime(interval.open);
    if (!open.ok()) return SlotError(open.error().message);
    auto close = ParseClockTime(interval.close);
    if (!close.ok()) return SlotError(close.error().message);
    if (*close <= *open) {
      return SlotError("opening interval " + interval.open + "-" + interval.close +
                       " does not end after it starts");
    }
    opening.emplace_back(*open, *close);
  }

  const local_days today = std::chrono::floor<days>(zone.ToLocal(query.now));
  if (date < today) return DaySlots{DayStatus::kInPast, {}};
  if (date > today + days(query.horizon_days)) return DaySlots{DayStatus::kBeyondHorizon, {}};
  if (opening.empty()) return DaySlots{DayStatus::kClosed, {}};

  bool any_fits = false;
  bool any_upcoming = false;
  std::vector<Slot> slots;
  for (const auto& [open, close] : opening) {
    const sys_seconds open_at = zone.ToUtc(date + open);
    const sys_seconds close_at = zone.ToUtc(date + close);
    // Stepping in UTC keeps every slot exactly `duration` long across a DST change.
    for (sys_seconds start = open_at; start + query.duration <= close_at; start += query.step) {
      any_fits = true;
      if (start < query.now) continue;
      any_upcoming = true;
      const sys_seconds end = start + query.duration;
      if (ConflictsWithBooking(start, end, query)) continue;
      slots.push_back({start, end, zone.ToLocal(start), zone.ToLocal(end)});
    }
  }
  if (!any_fits) return DaySlots{DayStatus::kServiceTooLong, {}};
  if (!any_upcoming) return DaySlots{DayStatus::kDayOver, {}};
  if (slots.empty()) return DaySlots{DayStatus::kFullyBooked, {}};

  // Overlapping opening intervals may yield the same start twice.
  std::sort(slots.begin(), slots.end(),
            [](const Slot& a, const Slot& b) { return a.start < b.start; });
  slots.erase(std::unique(slots.begin(), slots.end(),
                          [](const Slot& a, const Slot& b) { return a.start == b.start; }),
              slots.end());
  return DaySlots{DayStatus::kAvailable, std::move(slots)};
}

}  // namespace switchboard::agent
