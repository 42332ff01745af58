#include "workers/agent/slots.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace switchboard::agent {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

sys_seconds Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  return sys_days(year{y} / mo / d) + hours(h) + minutes(mi);
}

local_seconds Wall(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  return local_days(year{y} / mo / d) + hours(h) + minutes(mi);
}

TimeZone Zone(std::string_view name) {
  auto zone = TimeZone::Load(name);
  REQUIRE(zone.ok());
  return *zone;
}

WeeklyHours EveryDay(std::vector<OpeningInterval> intervals) {
  WeeklyHours hours;
  hours.fill(intervals);
  return hours;
}

/// Mon-Fri 09:00-17:00 with a lunch break 12:00-13:00, Sat 10:00-14:00, Sun closed.
WeeklyHours Practice() {
  WeeklyHours hours;
  for (unsigned day = 1; day <= 5; ++day) hours[day] = {{"09:00", "12:00"}, {"13:00", "17:00"}};
  hours[6] = {{"10:00", "14:00"}};
  return hours;
}

SlotQuery Query(WeeklyHours hours, year_month_day date, sys_seconds now) {
  SlotQuery query;
  query.hours = std::move(hours);
  query.date = date;
  query.now = now;
  query.duration = 60min;
  query.step = 60min;
  query.horizon_days = 365;
  return query;
}

DaySlots Slots(const SlotQuery& query, const TimeZone& zone) {
  auto answer = SlotsFor(query, zone);
  REQUIRE_MESSAGE(answer.ok(), (answer.ok() ? "" : answer.error().message));
  return *answer;
}

std::vector<sys_seconds> Starts(const DaySlots& day) {
  std::vector<sys_seconds> starts;
  for (const Slot& slot : day.slots) starts.push_back(slot.start);
  return starts;
}

std::vector<sys_seconds> HourlyUtc(int y, unsigned mo, unsigned d, int first, int last) {
  std::vector<sys_seconds> starts;
  for (int h = first; h <= last; ++h) starts.push_back(Utc(y, mo, d, h));
  return starts;
}

const sys_seconds kEarlyMarch = Utc(2026, 3, 2, 12);

TEST_CASE("Berlin spring-forward day: 09:00-17:00 local is 07:00-15:00 UTC, the day before 08-16") {
  const TimeZone berlin = Zone("Europe/Berlin");
  const WeeklyHours hours = EveryDay({{"09:00", "17:00"}});

  const DaySlots before = Slots(Query(hours, 2026y / 3 / 28, kEarlyMarch), berlin);
  CHECK(before.status == DayStatus::kAvailable);
  CHECK(Starts(before) == HourlyUtc(2026, 3, 28, 8, 15));

  const DaySlots change = Slots(Query(hours, 2026y / 3 / 29, kEarlyMarch), berlin);
  REQUIRE(Starts(change) == HourlyUtc(2026, 3, 29, 7, 14));
  REQUIRE(change.slots.size() == 8);
  CHECK(change.slots.front().local_start == Wall(2026, 3, 29, 9));
  CHECK(change.slots.back().end == Utc(2026, 3, 29, 15));
  CHECK(change.slots.back().local_end == Wall(2026, 3, 29, 17));
}

TEST_CASE("Berlin fall-back day: 09:00 local is 08:00 UTC again, the day before 07:00 UTC") {
  const TimeZone berlin = Zone("Europe/Berlin");
  const WeeklyHours hours = EveryDay({{"09:00", "17:00"}});
  const sys_seconds now = Utc(2026, 10, 1);
  CHECK(Starts(Slots(Query(hours, 2026y / 10 / 24, now), berlin)) ==
        HourlyUtc(2026, 10, 24, 7, 14));
  CHECK(Starts(Slots(Query(hours, 2026y / 10 / 25, now), berlin)) ==
        HourlyUtc(2026, 10, 25, 8, 15));
}

TEST_CASE("a whole-day opening has 23 hourly slots in spring and 25 in autumn") {
  const TimeZone berlin = Zone("Europe/Berlin");
  const WeeklyHours hours = EveryDay({{"00:00", "24:00"}});

  const DaySlots spring = Slots(Query(hours, 2026y / 3 / 29, kEarlyMarch), berlin);
  REQUIRE(spring.slots.size() == 23);
  for (const Slot& slot : spring.slots) CHECK(slot.end - slot.start == 1h);
  // Wall clock jumps from 01:00 to 03:00.
  CHECK(spring.slots[1].local_start == Wall(2026, 3, 29, 1));
  CHECK(spring.slots[2].local_start == Wall(2026, 3, 29, 3));

  const DaySlots autumn = Slots(Query(hours, 2026y / 10 / 25, Utc(2026, 10, 1)), berlin);
  REQUIRE(autumn.slots.size() == 25);
  CHECK(autumn.slots.front().start == Utc(2026, 10, 24, 22));
  CHECK(autumn.slots.back().end == Utc(2026, 10, 25, 23));
  // 02:00 local is offered twice, one real hour apart.
  CHECK(autumn.slots[2].local_start == Wall(2026, 10, 25, 2));
  CHECK(autumn.slots[3].local_start == Wall(2026, 10, 25, 2));
  CHECK(autumn.slots[3].start - autumn.slots[2].start == 1h);
}

TEST_CASE("opening hours inside a DST gap move forward by the gap") {
  const TimeZone berlin = Zone("Europe/Berlin");
  SlotQuery query = Query(EveryDay({{"02:30", "05:00"}}), 2026y / 3 / 29, kEarlyMarch);
  query.duration = 30min;
  query.step = 30min;
  const DaySlots day = Slots(query, berlin);
  // 02:30 does not exist; it becomes 03:30 CEST (01:30 UTC); 05:00 CEST is 03:00 UTC.
  CHECK(Starts(day) == std::vector<sys_seconds>{Utc(2026, 3, 29, 1, 30), Utc(2026, 3, 29, 2),
                                                Utc(2026, 3, 29, 2, 30)});
  CHECK(day.slots.front().local_start == Wall(2026, 3, 29, 3, 30));
}

TEST_CASE("America/New_York DST days in both directions") {
  const TimeZone new_york = Zone("America/New_York");
  const WeeklyHours hours = EveryDay({{"09:00", "17:00"}});
  const sys_seconds now = Utc(2026, 3, 1);
  CHECK(Starts(Slots(Query(hours, 2026y / 3 / 7, now), new_york)) == HourlyUtc(2026, 3, 7, 14, 21));
  CHECK(Starts(Slots(Query(hours, 2026y / 3 / 8, now), new_york)) == HourlyUtc(2026, 3, 8, 13, 20));
  CHECK(Starts(Slots(Query(hours, 2026y / 10 / 31, now), new_york)) ==
        HourlyUtc(2026, 10, 31, 13, 20));
  CHECK(Starts(Slots(Query(hours, 2026y / 11 / 1, now), new_york)) ==
        HourlyUtc(2026, 11, 1, 14, 21));

  // 01:00-04:00 on the fall-back night is four real hours; 01:00 is offered twice.
  const DaySlots night =
      Slots(Query(EveryDay({{"01:00", "04:00"}}), 2026y / 11 / 1, now), new_york);
  REQUIRE(Starts(night) == HourlyUtc(2026, 11, 1, 5, 8));
  CHECK(night.slots[0].local_start == Wall(2026, 11, 1, 1));
  CHECK(night.slots[1].local_start == Wall(2026, 11, 1, 1));
  CHECK(night.slots[3].local_end == Wall(2026, 11, 1, 4));
}

TEST_CASE("closed weekdays and lunch breaks") {
  const TimeZone berlin = Zone("Europe/Berlin");
  // 2026-03-08 is a Sunday, 2026-03-09 a Monday, 2026-03-14 a Saturday.
  CHECK(Slots(Query(Practice(), 2026y / 3 / 8, kEarlyMarch), berlin).status == DayStatus::kClosed);
  const DaySlots monday = Slots(Query(Practice(), 2026y / 3 / 9, kEarlyMarch), berlin);
  CHECK(monday.status == DayStatus::kAvailable);
  std::vector<local_seconds> walls;
  for (const Slot& slot : monday.slots) walls.push_back(slot.local_start);
  CHECK(walls == std::vector<local_seconds>{Wall(2026, 3, 9, 9), Wall(2026, 3, 9, 10),
                                            Wall(2026, 3, 9, 11), Wall(2026, 3, 9, 13),
                                            Wall(2026, 3, 9, 14), Wall(2026, 3, 9, 15),
                                            Wall(2026, 3, 9, 16)});
  CHECK(Starts(Slots(Query(Practice(), 2026y / 3 / 14, kEarlyMarch), berlin)) ==
        HourlyUtc(2026, 3, 14, 9, 12));
}

TEST_CASE("a slot that does not fit before closing is not offered") {
  const TimeZone utc = Zone("UTC");
  SlotQuery query = Query(EveryDay({{"09:00", "12:00"}}), 2026y / 3 / 10, kEarlyMarch);
  query.duration = 45min;
  query.step = 30min;
  const DaySlots day = Slots(query, utc);
  CHECK(Starts(day) == std::vector<sys_seconds>{Utc(2026, 3, 10, 9), Utc(2026, 3, 10, 9, 30),
                                                Utc(2026, 3, 10, 10), Utc(2026, 3, 10, 10, 30),
                                                Utc(2026, 3, 10, 11)});
  CHECK(day.slots.back().end == Utc(2026, 3, 10, 11, 45));

  query.duration = 4h;
  CHECK(Slots(query, utc).status == DayStatus::kServiceTooLong);
  query.duration = 3h;
  CHECK(Slots(query, utc).slots.size() == 1);
}

TEST_CASE("booked appointments and the buffer around them") {
  const TimeZone berlin = Zone("Europe/Berlin");
  SlotQuery query = Query(EveryDay({{"09:00", "13:00"}}), 2026y / 3 / 10, kEarlyMarch);
  query.duration = 30min;
  query.step = 15min;
  // 10:00-11:00 local (CET) is booked.
  query.booked = {{Utc(2026, 3, 10, 9), Utc(2026, 3, 10, 10)}};

  auto walls = [&] {
    std::vector<std::string> out;
    for (const Slot& slot : Slots(query, berlin).slots) {
      const auto time = hh_mm_ss(slot.local_start - floor<days>(slot.local_start));
      out.push_back(std::to_string(time.hours().count()) + ":" +
                    std::to_string(time.minutes().count()));
    }
    return out;
  };
  CHECK(walls() == std::vector<std::string>{"9:0", "9:15", "9:30", "11:0", "11:15", "11:30",
                                            "11:45", "12:0", "12:15", "12:30"});
  query.buffer = 15min;
  CHECK(walls() == std::vector<std::string>{"9:0", "9:15", "11:15", "11:30", "11:45", "12:0",
                                            "12:15", "12:30"});
  // A second booking touching the end of the day; bookings may come in any order.
  query.booked.insert(query.booked.begin(), {Utc(2026, 3, 10, 11, 30), Utc(2026, 3, 10, 12)});
  CHECK(walls() == std::vector<std::string>{"9:0", "9:15", "11:15", "11:30", "11:45"});
}

TEST_CASE("a day with every slot taken is fully booked") {
  const TimeZone berlin = Zone("Europe/Berlin");
  SlotQuery query = Query(Practice(), 2026y / 3 / 10, kEarlyMarch);
  query.booked = {{Utc(2026, 3, 10, 8), Utc(2026, 3, 10, 11)},
                  {Utc(2026, 3, 10, 12), Utc(2026, 3, 10, 16)}};
  const DaySlots day = Slots(query, berlin);
  CHECK(day.status == DayStatus::kFullyBooked);
  CHECK(day.slots.empty());
  CHECK(DayStatusName(day.status) == "fully_booked");
  // Bookings on other days do not matter.
  query.booked = {{Utc(2026, 3, 9, 0), Utc(2026, 3, 10, 7)},
                  {Utc(2026, 3, 10, 16), Utc(2026, 3, 11)}};
  CHECK(Slots(query, berlin).slots.size() == 7);
}

TEST_CASE("today: slots before now are gone, after the last start the day is over") {
  const TimeZone berlin = Zone("Europe/Berlin");
  // Tuesday 2026-03-10, 11:10 local (10:10 UTC).
  SlotQuery query = Query(Practice(), 2026y / 3 / 10, Utc(2026, 3, 10, 10, 10));
  CHECK(Starts(Slots(query, berlin)) ==
        std::vector<sys_seconds>{Utc(2026, 3, 10, 12), Utc(2026, 3, 10, 13), Utc(2026, 3, 10, 14),
                                 Utc(2026, 3, 10, 15)});
  query.now = Utc(2026, 3, 10, 12);  // exactly 13:00 local: that slot is still offered
  CHECK(Slots(query, berlin).slots.front().start == Utc(2026, 3, 10, 12));
  query.now = Utc(2026, 3, 10, 15, 1);
  const DaySlots over = Slots(query, berlin);
  CHECK(over.status == DayStatus::kDayOver);
  CHECK(over.slots.empty());
}

TEST_CASE("dates in the past and beyond the horizon, judged by the local date") {
  const TimeZone berlin = Zone("Europe/Berlin");
  // 23:30 UTC on the 10th is already the 11th in Berlin.
  const sys_seconds now = Utc(2026, 3, 10, 23, 30);
  CHECK(Slots(Query(Practice(), 2026y / 3 / 10, now), berlin).status == DayStatus::kInPast);
  CHECK(Slots(Query(Practice(), 2025y / 12 / 31, now), berlin).status == DayStatus::kInPast);
  CHECK(Slots(Query(Practice(), 2026y / 3 / 11, now), berlin).status == DayStatus::kAvailable);

  SlotQuery query = Query(Practice(), 2026y / 3 / 25, now);  // today + 14, a Wednesday
  query.horizon_days = 14;
  CHECK(Slots(query, berlin).status == DayStatus::kAvailable);
  query.date = 2026y / 3 / 26;
  CHECK(Slots(query, berlin).status == DayStatus::kBeyondHorizon);
  query.horizon_days = 0;
  query.date = 2026y / 3 / 11;
  CHECK(Slots(query, berlin).status == DayStatus::kAvailable);
  query.date = 2026y / 3 / 12;
  CHECK(Slots(query, berlin).status == DayStatus::kBeyondHorizon);
}

TEST_CASE("overlapping opening intervals do not offer a slot twice") {
  const TimeZone utc = Zone("UTC");
  const DaySlots day = Slots(
      Query(EveryDay({{"09:00", "12:00"}, {"10:00", "13:00"}}), 2026y / 3 / 10, kEarlyMarch), utc);
  CHECK(Starts(day) == HourlyUtc(2026, 3, 10, 9, 12));
}

TEST_CASE("malformed input is an error, not an empty day") {
  const TimeZone utc = Zone("UTC");
  for (const OpeningInterval& interval : std::vector<OpeningInterval>{{"9:00", "17:00"},
                                                                      {"09:00", "25:00"},
                                                                      {"09:60", "17:00"},
                                                                      {"17:00", "09:00"},
                                                                      {"09:00", "09:00"},
                                                                      {"", "17:00"},
                                                                      {"09:00", "24:01"},
                                                                      {"09-00", "17:00"}}) {
    INFO(interval.open << "-" << interval.close);
    auto answer = SlotsFor(Query(EveryDay({interval}), 2026y / 3 / 10, kEarlyMarch), utc);
    REQUIRE_FALSE(answer.ok());
    CHECK_FALSE(answer.error().retryable);
  }
  SlotQuery query = Query(EveryDay({{"09:00", "17:00"}}), 2026y / 2 / 30, kEarlyMarch);
  CHECK_FALSE(SlotsFor(query, utc).ok());
  query.date = 2026y / 3 / 10;
  query.duration = 0min;
  CHECK_FALSE(SlotsFor(query, utc).ok());
  query.duration = 30min;
  query.step = -15min;
  CHECK_FALSE(SlotsFor(query, utc).ok());
  query.step = 15min;
  query.buffer = -1min;
  CHECK_FALSE(SlotsFor(query, utc).ok());
}

TEST_CASE("ParseClockTime reads HH:MM from 00:00 to 24:00") {
  CHECK(*ParseClockTime("00:00") == 0min);
  CHECK(*ParseClockTime("09:05") == 9h + 5min);
  CHECK(*ParseClockTime("23:59") == 23h + 59min);
  CHECK(*ParseClockTime("24:00") == 24h);
  for (const char* bad : {"24:30", "9:00", "09:0", "0900", "ab:cd", " 09:00", "-1:00"}) {
    CHECK_FALSE(ParseClockTime(bad).ok());
  }
}

}  // namespace
}  // namespace switchboard::agent
