#include "workers/sender/rate_limiter.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace switchboard::sender {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

/// A clock that moves only when a test (or the limiter's sleep) moves it.
struct FakeTime {
  Clock::time_point now{};
  std::vector<Clock::duration> sleeps;

  RateLimiter Limiter(double rate) {
    return RateLimiter(
        rate, [this] { return now; },
        [this](Clock::duration wait) {
          sleeps.push_back(wait);
          now += wait;
        });
  }
};

TEST_CASE("a full bucket lets one second's worth go at once, then paces evenly") {
  FakeTime time;
  RateLimiter limiter = time.Limiter(4);
  for (int i = 0; i < 4; ++i) CHECK(limiter.Reserve("wa:1") == Clock::duration::zero());
  CHECK(limiter.Reserve("wa:1") == 250ms);
  CHECK(limiter.Reserve("wa:1") == 500ms);
  time.now += 500ms;
  // The two reservations above hold the next two slots; the bucket did not refill meanwhile.
  CHECK(limiter.Reserve("wa:1") == 250ms);
}

TEST_CASE("the bucket refills with time, up to its capacity") {
  FakeTime time;
  RateLimiter limiter = time.Limiter(2);
  CHECK(limiter.Reserve("a") == 0ms);
  CHECK(limiter.Reserve("a") == 0ms);
  CHECK(limiter.Reserve("a") == 500ms);
  time.now += 10s;  // idle: only two tokens accumulate
  CHECK(limiter.Reserve("a") == 0ms);
  CHECK(limiter.Reserve("a") == 0ms);
  CHECK(limiter.Reserve("a") == 500ms);
}

TEST_CASE("accounts have their own buckets") {
  FakeTime time;
  RateLimiter limiter = time.Limiter(1);
  CHECK(limiter.Reserve("wa:1") == 0ms);
  CHECK(limiter.Reserve("wa:1") == 1s);
  CHECK(limiter.Reserve("wa:2") == 0ms);
}

TEST_CASE("Acquire sleeps until its token is due") {
  FakeTime time;
  RateLimiter limiter = time.Limiter(10);
  for (int i = 0; i < 10; ++i) limiter.Acquire("a");
  CHECK(time.sleeps.empty());
  limiter.Acquire("a");
  limiter.Acquire("a");
  REQUIRE(time.sleeps.size() == 2);
  CHECK(time.sleeps[0] == 100ms);
  CHECK(time.sleeps[1] == 100ms);  // the clock moved by the first sleep
  CHECK(time.now == Clock::time_point{} + 200ms);
}

TEST_CASE("a pause holds the account's tokens until it ends, then paces from an empty bucket") {
  FakeTime time;
  RateLimiter limiter = time.Limiter(5);
  limiter.PauseFor("a", 3s);
  CHECK(limiter.Reserve("b") == 0ms);
  limiter.PauseFor("a", 1s);  // earlier than the pause in force: no change
  CHECK(limiter.Reserve("a") == 3s);
  time.now += 3s;
  // After a platform's "back off" the account restarts at the plain rate, not with a burst.
  CHECK(limiter.Reserve("a") == 200ms);
}

TEST_CASE("a rate below one a second still gives one token") {
  FakeTime time;
  RateLimiter limiter = time.Limiter(0.5);
  CHECK(limiter.Reserve("a") == 0ms);
  CHECK(limiter.Reserve("a") == 2s);
}

TEST_CASE("a rate that is not positive is refused") {
  CHECK_THROWS_AS(RateLimiter(0), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(-3), std::invalid_argument);
}

}  // namespace
}  // namespace switchboard::sender
