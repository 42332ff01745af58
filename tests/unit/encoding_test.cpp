#include <doctest/doctest.h>

#include "common/encoding.hpp"

using switchboard::FormatUtcMillis;

TEST_CASE("FormatUtcMillis writes ISO-8601 UTC with milliseconds, zero-padded") {
  CHECK(FormatUtcMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatUtcMillis(1714556400123) == "2024-05-01T09:40:00.123Z");
  CHECK(FormatUtcMillis(1709251199999) == "2024-02-29T23:59:59.999Z");  // a leap day
  CHECK(FormatUtcMillis(946684800005) == "2000-01-01T00:00:00.005Z");
}

TEST_CASE("FormatUtcMillis clamps values outside 1970..9999") {
  CHECK(FormatUtcMillis(-1) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatUtcMillis(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(FormatUtcMillis(253402300800000) == "9999-12-31T23:59:59.999Z");
}
