#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace switchboard {

/// Thrown at start-up when the environment is unusable; the message names the variable.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The value of a required variable. Throws ConfigError naming it when unset or empty.
std::string RequiredEnv(const char* name);

/// The value of a variable, or `fallback` when unset or empty.
std::string EnvOr(const char* name, std::string fallback);

/// An integer variable, or `fallback`. Throws ConfigError naming it when not a whole number.
std::int64_t EnvInt(const char* name, std::int64_t fallback);

/// A duration in milliseconds, or `fallback`. Throws ConfigError naming it when invalid.
std::chrono::milliseconds EnvMillis(const char* name, std::chrono::milliseconds fallback);

}  // namespace switchboard
