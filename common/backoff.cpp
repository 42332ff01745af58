#include "common/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>

namespace switchboard {

std::chrono::milliseconds BackoffCeiling(const BackoffPolicy& policy, int attempt) {
  const std::int64_t base = std::max<std::int64_t>(0, policy.base.count());
  const std::int64_t max = std::max<std::int64_t>(base, policy.max.count());
  std::int64_t ceiling = base;
  // Doubling stops at the cap, so a record retried for days never overflows.
  for (int i = 1; i < attempt && ceiling < max; ++i) ceiling = std::min(max, ceiling * 2);
  return std::chrono::milliseconds(std::min(ceiling, max));
}

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt,
                                       const UniformRandom& random) {
  const auto ceiling = static_cast<double>(BackoffCeiling(policy, attempt).count());
  const double draw = std::clamp(random(), 0.0, 1.0);
  const auto delay = static_cast<std::int64_t>(std::floor(draw * (ceiling + 1.0)));
  return std::chrono::milliseconds(std::min(delay, static_cast<std::int64_t>(ceiling)));
}

UniformRandom SystemRandom() {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> uniform{0.0, 1.0};
  };
  auto state = std::make_shared<State>();
  return [state] {
    std::lock_guard lock(state->mutex);
    return state->uniform(state->engine);
  };
}

}  // namespace switchboard
