#include "common/log.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <mutex>

#include "common/json.hpp"

namespace switchboard {
namespace {

std::mutex log_mutex;
std::string log_component = "switchboard";
LogLevel log_min_level = LogLevel::kInfo;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char full[40];
  std::snprintf(full, sizeof full, "%.*s.%03dZ", static_cast<int>(length), text,
                static_cast<int>(millis));
  return full;
}

}  // namespace

void ConfigureLog(std::string component, std::string_view min_level) {
  std::lock_guard lock(log_mutex);
  log_component = std::move(component);
  if (min_level == "debug") log_min_level = LogLevel::kDebug;
  if (min_level == "info") log_min_level = LogLevel::kInfo;
  if (min_level == "warning") log_min_level = LogLevel::kWarning;
  if (min_level == "error") log_min_level = LogLevel::kError;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  Log(level, message, std::span<const LogField>(fields.begin(), fields.size()));
}

void Log(LogLevel level, std::string_view message, std::span<const LogField> fields) {
  if (level < log_min_level) return;
  json::Writer writer;
  writer.StartObject().Field("ts", Timestamp()).Field("level", LevelName(level));
  {
    std::lock_guard lock(log_mutex);
    writer.Field("component", log_component);
  }
  writer.Field("msg", message);
  for (const LogField& field : fields) {
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      writer.Field(field.key, *text);
    } else if (const auto* number = std::get_if<std::int64_t>(&field.value)) {
      writer.Field(field.key, *number);
    } else {
      writer.Field(field.key, std::get<double>(field.value));
    }
  }
  writer.EndObject();
  std::string line = writer.Take();
  line.push_back('\n');
  std::lock_guard lock(log_mutex);
  // One write per line keeps lines whole when several threads log at once.
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace switchboard
