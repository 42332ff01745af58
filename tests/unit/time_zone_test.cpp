#include "common/time_zone.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
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

TEST_CASE("POSIX rules: Mm.w.d, Jn, n, explicit times and default DST offset") {
  SUBCASE("EU rule with a transition time") {
    const TimeZone zone = *TimeZone::FromPosixRule("CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(zone.OffsetAt(Utc(2030, 3, 31, 0, 59)) == 1h);
    CHECK(zone.OffsetAt(Utc(2030, 3, 31, 1)) == 2h);
    CHECK(zone.OffsetAt(Utc(2030, 10, 27, 0, 59)) == 2h);
    CHECK(zone.OffsetAt(Utc(2030, 10, 27, 1)) == 1h);
  }
  SUBCASE("fifth week means the last such weekday") {
    // May 2026 has five Sundays; the last is the 31st. Feb 2026 has four; M2.5.0 is the 22nd.
    const TimeZone zone = *TimeZone::FromPosixRule("XST0XDT,M2.5.0/0,M5.5.0/0");
    CHECK(zone.OffsetAt(Utc(2026, 2, 21, 23, 59)) == 0s);
    CHECK(zone.OffsetAt(Utc(2026, 2, 22)) == 1h);
    CHECK(zone.OffsetAt(Utc(2026, 5, 30, 22, 59)) == 1h);
    CHECK(zone.OffsetAt(Utc(2026, 5, 30, 23)) == 0s);
  }
  SUBCASE("Jn never counts February 29; n does") {
    // J60 is 1 March in every year; 59 (zero-based) is 29 Feb in a leap year.
    const TimeZone julian = *TimeZone::FromPosixRule("AAA0BBB,J60/0,J300/0");
    CHECK(julian.OffsetAt(Utc(2028, 2, 29, 23, 59)) == 0s);
    CHECK(julian.OffsetAt(Utc(2028, 3, 1)) == 1h);
    const TimeZone zero = *TimeZone::FromPosixRule("AAA0BBB,59/0,300/0");
    CHECK(zero.OffsetAt(Utc(2028, 2, 28, 23, 59)) == 0s);
    CHECK(zero.OffsetAt(Utc(2028, 2, 29)) == 1h);
    CHECK(zero.OffsetAt(Utc(2027, 3, 1)) == 1h);
  }
  SUBCASE("quoted names, minutes, explicit DST offset, southern hemisphere") {
    const TimeZone chatham =
        *TimeZone::FromPosixRule("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
    CHECK(chatham.OffsetAt(Utc(2030, 1, 1)) == 13h + 45min);
    CHECK(chatham.OffsetAt(Utc(2030, 7, 1)) == 12h + 45min);
    const TimeZone santiago = *TimeZone::FromPosixRule("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    CHECK(santiago.OffsetAt(Utc(2030, 1, 1)) == -3h);
    CHECK(santiago.OffsetAt(Utc(2030, 7, 1)) == -4h);
  }
  SUBCASE("DST all year round") {
    const TimeZone zone = *TimeZone::FromPosixRule("EST5EDT,0/0,J365/25");
    for (const sys_seconds t : {Utc(2030, 1, 1), Utc(2030, 1, 1, 5), Utc(2030, 6, 1),
                                Utc(2030, 12, 31, 23, 59), Utc(2031, 1, 1, 4, 59)}) {
      CHECK(zone.OffsetAt(t) == -4h);
    }
  }
  SUBCASE("no DST part, and DST without rules (US default)") {
    CHECK(TimeZone::FromPosixRule("<+0545>-5:45")->OffsetAt(Utc(2030, 7, 1)) == 5h + 45min);
    const TimeZone us = *TimeZone::FromPosixRule("EST5EDT");
    CHECK(us.OffsetAt(Utc(2030, 3, 10, 6, 59)) == -5h);
    CHECK(us.OffsetAt(Utc(2030, 3, 10, 7)) == -4h);
  }
  SUBCASE("malformed rules") {
    for (const char* rule :
         {"", "CE-1", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
          "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J100",
          "CET-1CEST,M3.5.0,M10.5.0x", "<+01-1", "CET-25"}) {
      INFO("rule '" << rule << "'");
      CHECK_FALSE(TimeZone::FromPosixRule(rule).ok());
    }
  }
}

TEST_CASE("malformed TZif bytes are errors, not crashes") {
  CHECK_FALSE(TimeZone::FromTzif("x", "").ok());
  CHECK_FALSE(TimeZone::FromTzif("x", "TZif2").ok());
  CHECK_FALSE(TimeZone::FromTzif("x", std::string(100, 'a')).ok());
  // A header claiming more data than there is.
  std::string header = "TZif2" + std::string(15, '\0');
  for (int count : {0, 0, 0, 5, 1, 4}) {
    header += std::string(3, '\0') + static_cast<char>(count);
  }
  CHECK_FALSE(TimeZone::FromTzif("x", header + "short").ok());
}

std::string ZoneFileBytes(const std::string& name) {
  std::ifstream file("/usr/share/zoneinfo/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

std::uint32_t BigEndian32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

TEST_CASE("every truncation of a real zone file is rejected without crashing") {
  const std::string bytes = ZoneFileBytes("Europe/Berlin");
  REQUIRE(bytes.size() > 100);
  REQUIRE(TimeZone::FromTzif("Europe/Berlin", bytes).ok());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("length " << n);
    CHECK_FALSE(TimeZone::FromTzif("Europe/Berlin", bytes.substr(0, n)).ok());
  }
}

TEST_CASE("a version 1 file (32-bit data, no footer) is read") {
  const std::string bytes = ZoneFileBytes("America/New_York");
  REQUIRE(bytes.size() > 44);
  // The first block of a v2+ file is a complete v1 file once its version byte says so.
  const std::uint32_t isut = BigEndian32(bytes, 20), isstd = BigEndian32(bytes, 24),
                      leap = BigEndian32(bytes, 28), time = BigEndian32(bytes, 32),
                      type = BigEndian32(bytes, 36), chars = BigEndian32(bytes, 40);
  const std::size_t size = 44 + time * 5 + type * 6 + chars + leap * 8 + isstd + isut;
  std::string v1 = bytes.substr(0, size);
  v1[4] = '\0';
  auto zone = TimeZone::FromTzif("v1", v1);
  REQUIRE(zone.ok());
  if (time > 0) {  // "slim" files carry no 32-bit transitions; then only the first type is known
    CHECK(zone->OffsetAt(Utc(2026, 3, 8, 6, 59)) == -5h);
    CHECK(zone->OffsetAt(Utc(2026, 3, 8, 7)) == -4h);
  }
}

}  // namespace
}  // namespace switchboard
