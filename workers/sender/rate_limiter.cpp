#include "workers/sender/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace switchboard::sender {

RateLimiter::RateLimiter(double rate_per_second)
    : RateLimiter(
          rate_per_second, [] { return Clock::now(); },
          [](Clock::duration wait) { std::this_thread::sleep_for(wait); }) {}

RateLimiter::RateLimiter(double rate_per_second, Now now, Sleep sleep)
    : now_(std::move(now)), sleep_(std::move(sleep)) {
  if (!(rate_per_second > 0) || !std::isfinite(rate_per_second)) {
    throw std::invalid_argument("RateLimiter: the rate must be a positive number");
  }
  interval_ = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / rate_per_second));
  if (interval_ <= Clock::duration::zero()) interval_ = Clock::duration(1);
  const double capacity = std::max(1.0, std::floor(rate_per_second));
  // A full bucket lets `capacity` calls go at once: the schedule may be capacity-1 intervals
  // ahead of the clock before a caller has to wait.
  burst_ = interval_ * static_cast<Clock::rep>(capacity - 1);
}

RateLimiter::Clock::duration RateLimiter::Reserve(std::string_view account) {
  const Clock::time_point now = now_();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = full_at_.try_emplace(std::string(account), now);
  Clock::time_point& full_at = it->second;
  const Clock::time_point start = std::max(now, full_at - burst_);
  full_at = std::max(full_at, now) + interval_;
  return start - now;
}

void RateLimiter::Acquire(std::string_view account) {
  const Clock::duration wait = Reserve(account);
  if (wait > Clock::duration::zero()) sleep_(wait);
}

void RateLimiter::PauseFor(std::string_view account, Clock::duration delay) {
  const Clock::time_point until = now_() + delay;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = full_at_.try_emplace(std::string(account), until + burst_);
  it->second = std::max(it->second, until + burst_);
}

}  // namespace switchboard::sender
