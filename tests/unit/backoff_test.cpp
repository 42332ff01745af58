#include "common/backoff.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace switchboard {
namespace {

using std::chrono::milliseconds;

TEST_CASE("BackoffCeiling doubles from the base and stops at the cap") {
  const BackoffPolicy policy{milliseconds(200), milliseconds(30000)};
  CHECK(BackoffCeiling(policy, 1) == milliseconds(200));
  CHECK(BackoffCeiling(policy, 2) == milliseconds(400));
  CHECK(BackoffCeiling(policy, 5) == milliseconds(3200));
  CHECK(BackoffCeiling(policy, 8) == milliseconds(25600));
  CHECK(BackoffCeiling(policy, 9) == milliseconds(30000));
  CHECK(BackoffCeiling(policy, 1000000) == milliseconds(30000));  // no overflow
  CHECK(BackoffCeiling(policy, 0) == milliseconds(200));
}

TEST_CASE("BackoffDelay draws full jitter between 0 and the ceiling from the injected source") {
  const BackoffPolicy policy{milliseconds(100), milliseconds(1000)};
  CHECK(BackoffDelay(policy, 3, [] { return 0.0; }) == milliseconds(0));
  CHECK(BackoffDelay(policy, 3, [] { return 0.5; }) == milliseconds(200));
  CHECK(BackoffDelay(policy, 3, [] { return 0.999999; }) == milliseconds(400));
  CHECK(BackoffDelay(policy, 30, [] { return 0.999999; }) == milliseconds(1000));
  CHECK(BackoffDelay(policy, 30, [] { return 0.25; }) == milliseconds(250));
  // A misbehaving source is clamped, never beyond the ceiling or negative.
  CHECK(BackoffDelay(policy, 1, [] { return 7.0; }) == milliseconds(100));
  CHECK(BackoffDelay(policy, 1, [] { return -1.0; }) == milliseconds(0));
}

TEST_CASE("SystemRandom stays between 0 and 1 and varies") {
  const UniformRandom random = SystemRandom();
  double low = 1.0;
  double high = 0.0;
  for (int i = 0; i < 1000; ++i) {
    const double draw = random();
    REQUIRE(draw >= 0.0);
    REQUIRE(draw < 1.0);
    low = std::min(low, draw);
    high = std::max(high, draw);
  }
  CHECK(high - low > 0.5);
}

}  // namespace
}  // namespace switchboard
