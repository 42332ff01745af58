#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchboard::sender {

/// Paces outbound calls per sender account (phone number, page, Instagram account): a token
/// bucket of `rate_per_second` tokens a second holding at most one second's worth (at least one
/// token), so a burst may use the account's whole second and then it is paced evenly.
/// Thread-safe; the clock and the sleep are injected so tests control time.
class RateLimiter final {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;
  using Sleep = std::function<void(Clock::duration)>;

  /// A limiter on the real steady clock that sleeps the calling thread.
  explicit RateLimiter(double rate_per_second);
  /// A limiter on `now` that waits with `sleep`. Throws std::invalid_argument when
  /// `rate_per_second` is not positive.
  RateLimiter(double rate_per_second, Now now, Sleep sleep);

  /// Takes a token of `account` now and returns how long the caller must wait before its call
  /// (zero when a token was available); later callers queue behind it.
  Clock::duration Reserve(std::string_view account);

  /// Reserve, then waits that long: blocks the calling thread until the call may go out.
  void Acquire(std::string_view account);

  /// Keeps `account` from getting a token for `delay` from now (a platform asked us to back
  /// off, e.g. Retry-After); a pause ending before one already in force changes nothing.
  void PauseFor(std::string_view account, Clock::duration delay);

 private:
  Clock::duration interval_;
  Clock::duration burst_;  // how far ahead of the clock the bucket's schedule may run free
  Now now_;
  Sleep sleep_;
  std::mutex mutex_;
  // Per account, the theoretical arrival time (GCRA): when the bucket is full again.
  std::unordered_map<std::string, Clock::time_point> full_at_;
};

}  // namespace switchboard::sender
