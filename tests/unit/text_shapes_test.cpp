// The shapes of text the stages read: digits at a position, a UUID, an ISO-8601 instant.
#include <doctest/doctest.h>

#include "common/text_shapes.hpp"

using namespace switchboard;

TEST_CASE("uuid shape") {
  CHECK(LooksLikeUuid("00000000-0000-4000-8000-000000000000"));
  CHECK(LooksLikeUuid("ABCDEF01-2345-6789-abcd-ef0123456789"));
  CHECK_FALSE(LooksLikeUuid("00000000000040008000000000000000"));
  CHECK_FALSE(LooksLikeUuid("00000000-0000-4000-8000-00000000000g"));
  CHECK_FALSE(LooksLikeUuid("00000000-0000-4000-8000-0000000000000"));
}

TEST_CASE("ISO-8601 instants to ms since the epoch") {
  CHECK(ParseInstantMs("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseInstantMs("2024-05-01T09:33:00.000Z") == 1714555980000);
  CHECK(ParseInstantMs("2024-05-01T09:33:00.5Z") == 1714555980500);
  CHECK(ParseInstantMs("2024-05-01T09:33:00.123456Z") == 1714555980123);
  CHECK(ParseInstantMs("2024-05-01T11:33:00+02:00") == 1714555980000);
  CHECK(ParseInstantMs("2024-05-01T04:33:00-05:00") == 1714555980000);
  for (const char* bad : {"", "2024-05-01", "2024-05-01T09:33:00", "2024-02-30T00:00:00Z",
                          "2024-05-01T24:00:00Z", "2024-05-01T09:33:00.Z", "2024-05-01T09:33Z",
                          "2024-05-01T09:33:00+0200", "x024-05-01T09:33:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseInstantMs(bad).has_value());
  }
}

TEST_CASE("digits at a position") {
  CHECK(DigitsAt("2024-05-01", 0, 4) == 2024);
  CHECK(DigitsAt("2024-05-01", 5, 2) == 5);
  CHECK(DigitsAt("2024-05-01", 4, 2) == -1);  // '-' is not a digit
  CHECK(DigitsAt("2024", 2, 3) == -1);        // past the end
  CHECK(DigitsAt("007", 0, 3) == 7);
}
