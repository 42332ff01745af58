#include "common/config.hpp"

#include <charconv>
#include <cstdlib>

namespace switchboard {

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw ConfigError(std::string("missing required environment variable ") + name);
  }
  return value;
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? std::move(fallback) : std::string(value);
}

std::int64_t EnvInt(const char* name, std::int64_t fallback) {
  const std::string text = EnvOr(name, "");
  if (text.empty()) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ConfigError(std::string("environment variable ") + name +
                      " must be a whole number, got '" + text + "'");
  }
  return value;
}

std::chrono::milliseconds EnvMillis(const char* name, std::chrono::milliseconds fallback) {
  const std::int64_t value = EnvInt(name, fallback.count());
  if (value < 0) {
    throw ConfigError(std::string("environment variable ") + name + " must not be negative");
  }
  return std::chrono::milliseconds(value);
}

}  // namespace switchboard
