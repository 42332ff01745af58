#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace switchboard {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

/// One key/value of a log line. Never put a secret (token, app secret, key) in one.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(std::int64_t{v}) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}

  std::string_view key;
  std::variant<std::string, std::int64_t, double> value;
};

/// Writes one JSON line {"ts","level","component","msg",...fields} to stderr; thread-safe.
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

/// The same, for fields put together at run time (e.g. the configuration line).
void Log(LogLevel level, std::string_view message, std::span<const LogField> fields);

/// Sets the "component" every line carries (the stage or binary name) and the lowest level
/// written (LOG_LEVEL: debug, info, warning, error).
void ConfigureLog(std::string component, std::string_view min_level);

}  // namespace switchboard
