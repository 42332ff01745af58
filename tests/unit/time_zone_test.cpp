#include "common/time_zone.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace switchboard {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

sys_seconds Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days(year{y} / mo / d) + hours(h) + minutes(mi) + seconds(s);
}

local_seconds Wall(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return local_days(year{y} / mo / d) + hours(h) + minutes(mi) + seconds(s);
}

TimeZone Zone(std::string_view name) {
  auto zone = TimeZone::Load(name);
  REQUIRE_MESSAGE(zone.ok(), (zone.ok() ? "" : zone.error().message));
  return *zone;
}

TEST_CASE("Europe/Berlin switches to CEST at 01:00 UTC on 2026-03-29") {
  const TimeZone berlin = Zone("Europe/Berlin");
  CHECK(berlin.Name() == "Europe/Berlin");
  CHECK(berlin.OffsetAt(Utc(2026, 3, 29, 0, 59, 59)) == 1h);
  CHECK(berlin.OffsetAt(Utc(2026, 3, 29, 1)) == 2h);
  CHECK(berlin.ToLocal(Utc(2026, 3, 29, 0, 59, 59)) == Wall(2026, 3, 29, 1, 59, 59));
  CHECK(berlin.ToLocal(Utc(2026, 3, 29, 1)) == Wall(2026, 3, 29, 3));

  CHECK(berlin.ToUtc(Wall(2026, 3, 29, 1, 59)) == Utc(2026, 3, 29, 0, 59));
  CHECK(berlin.ToUtc(Wall(2026, 3, 29, 3)) == Utc(2026, 3, 29, 1));
  CHECK(berlin.ToUtc(Wall(2026, 3, 29, 9)) == Utc(2026, 3, 29, 7));
  CHECK(berlin.ToUtc(Wall(2026, 3, 28, 9)) == Utc(2026, 3, 28, 8));
}

TEST_CASE("a wall time in the spring-forward gap is shifted forward by the gap") {
  const TimeZone berlin = Zone("Europe/Berlin");
  // 02:00-03:00 does not exist; 02:00 becomes 03:00 CEST, 02:30 becomes 03:30 CEST.
  CHECK(berlin.ToUtc(Wall(2026, 3, 29, 2)) == Utc(2026, 3, 29, 1));
  CHECK(berlin.ToUtc(Wall(2026, 3, 29, 2, 30)) == Utc(2026, 3, 29, 1, 30));
  CHECK(berlin.ToLocal(berlin.ToUtc(Wall(2026, 3, 29, 2, 30))) == Wall(2026, 3, 29, 3, 30));
  CHECK(berlin.ToUtc(Wall(2026, 3, 29, 2, 59, 59)) == Utc(2026, 3, 29, 1, 59, 59));

  const TimeZone new_york = Zone("America/New_York");
  CHECK(new_york.ToUtc(Wall(2026, 3, 8, 2, 15)) == Utc(2026, 3, 8, 7, 15));
  CHECK(new_york.ToLocal(Utc(2026, 3, 8, 7, 15)) == Wall(2026, 3, 8, 3, 15));
}

TEST_CASE(
    "Europe/Berlin falls back at 01:00 UTC on 2026-10-25, a repeated hour maps to the earlier") {
  const TimeZone berlin = Zone("Europe/Berlin");
  CHECK(berlin.OffsetAt(Utc(2026, 10, 25, 0, 59, 59)) == 2h);
  CHECK(berlin.OffsetAt(Utc(2026, 10, 25, 1)) == 1h);
  // 02:30 local happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
  CHECK(berlin.ToLocal(Utc(2026, 10, 25, 0, 30)) == Wall(2026, 10, 25, 2, 30));
  CHECK(berlin.ToLocal(Utc(2026, 10, 25, 1, 30)) == Wall(2026, 10, 25, 2, 30));
  CHECK(berlin.ToUtc(Wall(2026, 10, 25, 2, 30)) == Utc(2026, 10, 25, 0, 30));
  CHECK(berlin.ToUtc(Wall(2026, 10, 25, 2)) == Utc(2026, 10, 25, 0));
  CHECK(berlin.ToUtc(Wall(2026, 10, 25, 1, 59)) == Utc(2026, 10, 24, 23, 59));
  CHECK(berlin.ToUtc(Wall(2026, 10, 25, 3)) == Utc(2026, 10, 25, 2));
  CHECK(berlin.ToUtc(Wall(2026, 10, 25, 9)) == Utc(2026, 10, 25, 8));
}

TEST_CASE("America/New_York changes on 2026-03-08 and 2026-11-01") {
  const TimeZone new_york = Zone("America/New_York");
  CHECK(new_york.OffsetAt(Utc(2026, 3, 8, 6, 59, 59)) == -5h);
  CHECK(new_york.OffsetAt(Utc(2026, 3, 8, 7)) == -4h);
  CHECK(new_york.OffsetAt(Utc(2026, 11, 1, 5, 59, 59)) == -4h);
  CHECK(new_york.OffsetAt(Utc(2026, 11, 1, 6)) == -5h);
  CHECK(new_york.ToUtc(Wall(2026, 3, 7, 9)) == Utc(2026, 3, 7, 14));
  CHECK(new_york.ToUtc(Wall(2026, 3, 8, 9)) == Utc(2026, 3, 8, 13));
  // 01:30 happens twice on 2026-11-01: 05:30 UTC (EDT) first.
  CHECK(new_york.ToUtc(Wall(2026, 11, 1, 1, 30)) == Utc(2026, 11, 1, 5, 30));
  CHECK(new_york.ToLocal(Utc(2026, 11, 1, 6, 30)) == Wall(2026, 11, 1, 1, 30));
  CHECK(new_york.ToUtc(Wall(2026, 11, 1, 9)) == Utc(2026, 11, 1, 14));
  // History before the 2007 US rule change: DST ended on the last Sunday of October 2006.
  CHECK(new_york.OffsetAt(Utc(2006, 10, 29, 5, 59)) == -4h);
  CHECK(new_york.OffsetAt(Utc(2006, 10, 29, 6)) == -5h);
}

TEST_CASE("UTC has offset zero everywhere") {
  const TimeZone utc = Zone("UTC");
  for (const sys_seconds t : {Utc(1900, 1, 1), Utc(2026, 3, 29, 1), Utc(2100, 7, 1)}) {
    CHECK(utc.OffsetAt(t) == 0s);
    CHECK(utc.ToLocal(t).time_since_epoch() == t.time_since_epoch());
  }
  CHECK(utc.ToUtc(Wall(2026, 3, 29, 2, 30)) == Utc(2026, 3, 29, 2, 30));
}

TEST_CASE("far-future instants follow the footer rule (2040)") {
  const TimeZone berlin = Zone("Europe/Berlin");
  CHECK(berlin.OffsetAt(Utc(2040, 3, 25, 0, 59, 59)) == 1h);
  CHECK(berlin.OffsetAt(Utc(2040, 3, 25, 1)) == 2h);
  CHECK(berlin.OffsetAt(Utc(2040, 10, 28, 0, 59, 59)) == 2h);
  CHECK(berlin.OffsetAt(Utc(2040, 10, 28, 1)) == 1h);
  CHECK(berlin.ToUtc(Wall(2040, 7, 1, 12)) == Utc(2040, 7, 1, 10));

  const TimeZone new_york = Zone("America/New_York");
  CHECK(new_york.OffsetAt(Utc(2040, 3, 11, 6, 59, 59)) == -5h);
  CHECK(new_york.OffsetAt(Utc(2040, 3, 11, 7)) == -4h);
  CHECK(new_york.OffsetAt(Utc(2040, 11, 4, 5, 59, 59)) == -4h);
  CHECK(new_york.OffsetAt(Utc(2040, 11, 4, 6)) == -5h);
  CHECK(new_york.OffsetAt(Utc(2300, 1, 15)) == -5h);
  CHECK(new_york.OffsetAt(Utc(2300, 7, 15)) == -4h);
}

TEST_CASE("Australia/Lord_Howe has a 30-minute DST across New Year") {
  const TimeZone lord_howe = Zone("Australia/Lord_Howe");
  CHECK(lord_howe.OffsetAt(Utc(2026, 1, 15)) == 11h);
  CHECK(lord_howe.OffsetAt(Utc(2026, 4, 4, 14, 59, 59)) == 11h);
  CHECK(lord_howe.OffsetAt(Utc(2026, 4, 4, 15)) == 10h + 30min);
  CHECK(lord_howe.OffsetAt(Utc(2026, 10, 3, 15, 29, 59)) == 10h + 30min);
  CHECK(lord_howe.OffsetAt(Utc(2026, 10, 3, 15, 30)) == 11h);
  CHECK(lord_howe.OffsetAt(Utc(2040, 3, 31, 14, 59)) == 11h);
  CHECK(lord_howe.OffsetAt(Utc(2040, 3, 31, 15)) == 10h + 30min);
  CHECK(lord_howe.OffsetAt(Utc(2040, 10, 6, 15, 30)) == 11h);
  // Gap 02:00-02:30 local on 2026-10-04; shifted forward by 30 minutes.
  CHECK(lord_howe.ToUtc(Wall(2026, 10, 4, 2, 10)) == Utc(2026, 10, 3, 15, 40));
  // 01:30-02:00 local repeats on 2026-04-05; the earlier (+11) instant wins.
  CHECK(lord_howe.ToUtc(Wall(2026, 4, 5, 1, 45)) == Utc(2026, 4, 4, 14, 45));
}

TEST_CASE("ToLocal and ToUtc are inverse away from transitions") {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Tokyo",
                           "America/Sao_Paulo", "Pacific/Chatham", "Australia/Sydney"}) {
    const TimeZone zone = Zone(name);
    for (sys_seconds t = Utc(2024, 1, 1, 10, 17); t < Utc(2045, 1, 1); t += hours(24 * 7 + 5)) {
      INFO(name << " at " << t.time_since_epoch().count());
      const local_seconds wall = zone.ToLocal(t);
      // Only a time within an overlap may map back to another (the earlier) instant.
      const sys_seconds back = zone.ToUtc(wall);
      CHECK(zone.ToLocal(back) == wall);
      CHECK(back <= t);
      CHECK(t - back <= 3h);
    }
  }
}

TEST_CASE("unknown zones and invalid names are errors") {
  for (const char* name :
       {"Mars/Olympus_Mons", "", "/etc/passwd", "../../etc/passwd", "Europe/../../etc/passwd",
        "Europe/", "Europe//Berlin", "Europe", "Europe/Berlin\n", "Europe/Ber lin", ".hidden"}) {
    auto zone = TimeZone::Load(name);
    INFO("name '" << name << "'");
    REQUIRE_FALSE(zone.ok());
    CHECK_FALSE(zone.error().retryable);
  }
  CHECK(TimeZone::Load("Mars/Olympus_Mons").error().message.find("unknown zone") !=
        std::string::npos);
  CHECK(TimeZone::Load("../etc/passwd").error().message.find("invalid zone name") !=
        std::string::npos);
}

TEST_CASE("a zone is parsed once and shared, loading is thread-safe") {
  std::vector<std::thread> threads;
  std::vector<std::chrono::seconds> offsets(8);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    threads.emplace_back([&offsets, i] {
      auto zone = TimeZone::Load("Asia/Kathmandu");
      offsets[i] = zone.ok() ? zone->OffsetAt(Utc(2026, 1, 1)) : -1s;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto offset : offsets) CHECK(offset == 5h + 45min);
  // The cached copy shares its data with later loads.
  const TimeZone a = Zone("Asia/Kathmandu");
  const TimeZone b = Zone("Asia/Kathmandu");
  CHECK(&a.Name() == &b.Name());
}

TEST_CASE("footer rules of real zones decide after the last listed transition (2041, 2043)") {
  // Debian's zone files list transitions up to 2037; later instants follow the POSIX rule in the
  // file's footer, which cctz extends. Each subcase names the footer it exercises.
  SUBCASE("EU rule with a transition time; a fifth week means the last such weekday") {
    // CET-1CEST,M3.5.0,M10.5.0/3. March 2041 has five Sundays (the 31st), October 2041 four (the
    // 27th is M10.5.0); March 2043 has five (the 29th), October 2043 four (the 25th).
    const TimeZone berlin = Zone("Europe/Berlin");
    CHECK(berlin.OffsetAt(Utc(2041, 3, 31, 0, 59, 59)) == 1h);
    CHECK(berlin.OffsetAt(Utc(2041, 3, 31, 1)) == 2h);
    CHECK(berlin.OffsetAt(Utc(2041, 10, 27, 0, 59, 59)) == 2h);
    CHECK(berlin.OffsetAt(Utc(2041, 10, 27, 1)) == 1h);
    CHECK(berlin.OffsetAt(Utc(2043, 3, 29, 0, 59, 59)) == 1h);
    CHECK(berlin.OffsetAt(Utc(2043, 3, 29, 1)) == 2h);
    CHECK(berlin.OffsetAt(Utc(2043, 10, 25, 0, 59, 59)) == 2h);
    CHECK(berlin.OffsetAt(Utc(2043, 10, 25, 1)) == 1h);
    CHECK(berlin.ToUtc(Wall(2041, 3, 31, 2, 30)) == Utc(2041, 3, 31, 1, 30));    // gap
    CHECK(berlin.ToUtc(Wall(2041, 10, 27, 2, 30)) == Utc(2041, 10, 27, 0, 30));  // overlap
  }
  SUBCASE("a week other than the last, and a time past 24:00") {
    // IST-2IDT,M3.4.4/26,M10.5.0: the fourth Thursday of March (28 March 2041) at 26:00.
    const TimeZone jerusalem = Zone("Asia/Jerusalem");
    CHECK(jerusalem.OffsetAt(Utc(2041, 3, 28, 23, 59, 59)) == 2h);
    CHECK(jerusalem.OffsetAt(Utc(2041, 3, 29)) == 3h);
    CHECK(jerusalem.OffsetAt(Utc(2041, 10, 26, 22, 59, 59)) == 3h);
    CHECK(jerusalem.OffsetAt(Utc(2041, 10, 26, 23)) == 2h);
  }
  SUBCASE("quoted names, minutes, explicit times, southern hemisphere") {
    // <+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45
    const TimeZone chatham = Zone("Pacific/Chatham");
    CHECK(chatham.OffsetAt(Utc(2041, 1, 1)) == 13h + 45min);
    CHECK(chatham.OffsetAt(Utc(2041, 4, 6, 13, 59, 59)) == 13h + 45min);
    CHECK(chatham.OffsetAt(Utc(2041, 4, 6, 14)) == 12h + 45min);
    CHECK(chatham.OffsetAt(Utc(2041, 7, 1)) == 12h + 45min);
    CHECK(chatham.OffsetAt(Utc(2041, 9, 28, 13, 59, 59)) == 12h + 45min);
    CHECK(chatham.OffsetAt(Utc(2041, 9, 28, 14)) == 13h + 45min);
    // <-04>4<-03>,M9.1.6/24,M4.1.6/24: Saturday 24:00 is the Sunday's midnight.
    const TimeZone santiago = Zone("America/Santiago");
    CHECK(santiago.OffsetAt(Utc(2041, 1, 1)) == -3h);
    CHECK(santiago.OffsetAt(Utc(2041, 4, 7, 2, 59, 59)) == -3h);
    CHECK(santiago.OffsetAt(Utc(2041, 4, 7, 3)) == -4h);
    CHECK(santiago.OffsetAt(Utc(2041, 7, 1)) == -4h);
    CHECK(santiago.OffsetAt(Utc(2041, 9, 8, 3, 59, 59)) == -4h);
    CHECK(santiago.OffsetAt(Utc(2041, 9, 8, 4)) == -3h);
    // 00:00-01:00 on 8 September does not exist; 23:00-24:00 on 6 April happens twice.
    CHECK(santiago.ToUtc(Wall(2041, 9, 8, 0, 30)) == Utc(2041, 9, 8, 4, 30));
    CHECK(santiago.ToUtc(Wall(2041, 4, 6, 23, 30)) == Utc(2041, 4, 7, 2, 30));
  }
  SUBCASE("a negative rule time (TZif version 3)") {
    // <-02>2<-01>,M3.5.0/-1,M10.5.0/0: DST starts at 23:00 on the Saturday before the last Sunday.
    const TimeZone nuuk = Zone("America/Nuuk");
    CHECK(nuuk.OffsetAt(Utc(2041, 3, 31, 0, 59, 59)) == -2h);
    CHECK(nuuk.OffsetAt(Utc(2041, 3, 31, 1)) == -1h);
    CHECK(nuuk.ToLocal(Utc(2041, 3, 31, 0, 59, 59)) == Wall(2041, 3, 30, 22, 59, 59));
    CHECK(nuuk.ToLocal(Utc(2041, 3, 31, 1)) == Wall(2041, 3, 31, 0));
    CHECK(nuuk.OffsetAt(Utc(2041, 10, 27, 0, 59, 59)) == -1h);
    CHECK(nuuk.OffsetAt(Utc(2041, 10, 27, 1)) == -2h);
  }
  SUBCASE("negative DST: the winter offset is the daylight-saving one") {
    // IST-1GMT0,M10.5.0,M3.5.0/1
    const TimeZone dublin = Zone("Europe/Dublin");
    CHECK(dublin.OffsetAt(Utc(2041, 1, 15)) == 0s);
    CHECK(dublin.OffsetAt(Utc(2041, 3, 31, 0, 59, 59)) == 0s);
    CHECK(dublin.OffsetAt(Utc(2041, 3, 31, 1)) == 1h);
    CHECK(dublin.OffsetAt(Utc(2041, 10, 27, 0, 59, 59)) == 1h);
    CHECK(dublin.OffsetAt(Utc(2041, 10, 27, 1)) == 0s);
  }
  SUBCASE("no DST part") {
    // <+0545>-5:45
    CHECK(Zone("Asia/Kathmandu").OffsetAt(Utc(2041, 7, 1)) == 5h + 45min);
    CHECK(Zone("Asia/Kathmandu").OffsetAt(Utc(2041, 1, 1)) == 5h + 45min);
  }
}

TEST_CASE("a zoneinfo file that is not usable TZif is an error, on every load") {
  std::vector<std::string> names = {"zone.tab", "tzdata.zi", "iso3166.tab"};
  // The right/ zones count leap seconds, which cctz rejects (Debian 12's tzdata ships them).
  if (std::filesystem::exists("/usr/share/zoneinfo/right/Europe/Berlin")) {
    names.push_back("right/Europe/Berlin");
  }
  for (const std::string& name : names) {
    INFO("zone '" << name << "'");
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto zone = TimeZone::Load(name);
      REQUIRE_FALSE(zone.ok());
      CHECK_FALSE(zone.error().retryable);
      CHECK(zone.error().message.find("'" + name + "'") != std::string::npos);
    }
  }
}

}  // namespace
}  // namespace switchboard
