// Dates and times as the model writes and reads them, in a business's own timezone.
#include "workers/agent/wall_clock.hpp"

#include <doctest/doctest.h>

#include "common/business_facts.hpp"

namespace switchboard::agent {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

TimeZone Berlin() {
  auto zone = TimeZone::Load("Europe/Berlin");
  REQUIRE(zone.ok());
  return *zone;
}

TEST_CASE("ParseDate takes real calendar dates only") {
  CHECK(ParseDate("2028-02-29").value() == 2028y / 2 / 29);
  CHECK_FALSE(ParseDate("2026-02-29").ok());
  CHECK_FALSE(ParseDate("2026-13-01").ok());
  CHECK_FALSE(ParseDate("2026-3-1").ok());
  CHECK_FALSE(ParseDate("2026-03-10T10:00").ok());
  CHECK_FALSE(ParseDate("").ok());
}

TEST_CASE("ParseStartTime: local time, seconds, offsets, a space for the T") {
  const local_seconds ten = local_days(2026y / 3 / 10) + 10h;
  CHECK(ParseStartTime("2026-03-10T10:00")->local == ten);
  CHECK_FALSE(ParseStartTime("2026-03-10T10:00")->utc_offset);
  CHECK(ParseStartTime("2026-03-10 10:00:00")->local == ten);
  CHECK(*ParseStartTime("2026-03-10T10:00Z")->utc_offset == 0s);
  CHECK(*ParseStartTime("2026-03-10T10:00:00+01:00")->utc_offset == 1h);
  CHECK(*ParseStartTime("2026-03-10T10:00-0530")->utc_offset == -(5h + 30min));
  CHECK(*ParseStartTime("2026-03-10T10:00+02")->utc_offset == 2h);
  for (const char* bad :
       {"2026-03-10", "2026-03-10T1000", "2026-03-10T24:00", "2026-03-10T10:60",
        "2026-03-10T10:00+1", "2026-03-10T10:00 CET", "2026-02-30T10:00", "10:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseStartTime(bad).ok());
  }
}

TEST_CASE("InstantOf uses the offset when given, else the business's zone (DST aware)") {
  const TimeZone berlin = Berlin();
  // Winter: UTC+1; summer: UTC+2.
  CHECK(InstantOf(*ParseStartTime("2026-03-10T10:00"), berlin) == sys_days(2026y / 3 / 10) + 9h);
  CHECK(InstantOf(*ParseStartTime("2026-07-10T10:00"), berlin) == sys_days(2026y / 7 / 10) + 8h);
  CHECK(InstantOf(*ParseStartTime("2026-07-10T10:00Z"), berlin) == sys_days(2026y / 7 / 10) + 10h);
  CHECK(InstantOf(*ParseStartTime("2026-07-10T10:00-04:00"), berlin) ==
        sys_days(2026y / 7 / 10) + 14h);
}

TEST_CASE("formatting shows the business's wall clock with its offset") {
  const TimeZone berlin = Berlin();
  const sys_seconds winter = sys_days(2026y / 3 / 10) + 8h + 30min;
  CHECK(FormatIsoInZone(winter, berlin) == "2026-03-10T09:30:00+01:00");
  CHECK(FormatIsoInZone(sys_days(2026y / 7 / 1) + 22h, berlin) == "2026-07-02T00:00:00+02:00");
  auto new_york = TimeZone::Load("America/New_York");
  REQUIRE(new_york.ok());
  CHECK(FormatIsoInZone(winter, *new_york) == "2026-03-10T04:30:00-04:00");
  CHECK(FormatDate(local_days(2026y / 1 / 5) + 23h) == "2026-01-05");
  CHECK(FormatClock(local_days(2026y / 1 / 5) + 7h + 5min) == "07:05");
}

TEST_CASE("ParseOpeningHours reads the businesses.opening_hours object") {
  auto hours = ParseOpeningHours(
      R"({"monday":[{"open":"09:00","close":"12:00"},{"open":"13:00","close":"17:00"}],)"
      R"("saturday":[{"open":"10:00","close":"24:00"}],"sunday":[],"friday":null,"note":"x"})");
  REQUIRE(hours.ok());
  CHECK(hours->at(1).size() == 2);
  CHECK(hours->at(1)[1].open == "13:00");
  CHECK(hours->at(6)[0].close == "24:00");
  CHECK(hours->at(0).empty());
  CHECK(hours->at(5).empty());
  CHECK(hours->at(2).empty());
  CHECK(ParseOpeningHours("{}").ok());
  CHECK_FALSE(ParseOpeningHours("[]").ok());
  CHECK_FALSE(ParseOpeningHours(R"({"monday":"09:00-17:00"})").ok());
  CHECK_FALSE(ParseOpeningHours(R"({"monday":[{"open":"9","close":"17:00"}]})").ok());
  CHECK_FALSE(ParseOpeningHours(R"({"monday":[{"open":"09:00"}]})").ok());
}

}  // namespace
}  // namespace switchboard::agent
