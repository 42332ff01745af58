#pragma once

#include <chrono>
#include <functional>

namespace switchboard {

/// A source of uniform random numbers in [0, 1); injected so tests can fix it.
using UniformRandom = std::function<double()>;

/// How long to wait between attempts: exponential from `base`, capped at `max`.
struct BackoffPolicy {
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds max{30000};
};

/// The upper bound of the wait after failed attempt number `attempt` (1-based):
/// min(max, base * 2^(attempt-1)); never overflows.
std::chrono::milliseconds BackoffCeiling(const BackoffPolicy& policy, int attempt);

/// The wait after failed attempt `attempt` with full jitter: uniform in [0, ceiling] drawn from
/// `random` (AWS "Exponential Backoff and Jitter"); a draw outside [0, 1) is clamped.
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt,
                                       const UniformRandom& random);

/// A thread-safe UniformRandom seeded from std::random_device.
UniformRandom SystemRandom();

}  // namespace switchboard
