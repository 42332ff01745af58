#include "common/time_zone.hpp"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

namespace switchboard {

namespace {

constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo/";
constexpr std::size_t kMaxNameLength = 255;

Error ZoneError(std::string message) {
  return Error{"time zone: " + std::move(message), false};
}

/// Whether `name` is a relative path that stays inside kZoneInfoDir.
bool IsValidName(std::string_view name) {
  const bool valid_chars = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+' || c == '.';
  });
  return !name.empty() && name.size() <= kMaxNameLength && valid_chars && name.front() != '/' &&
         name.back() != '/' && name.find("..") == std::string_view::npos &&
         name.find("//") == std::string_view::npos && name.front() != '.';
}

}  // namespace

struct TimeZone::Data {
  std::string name;
  cctz::time_zone zone;  // a handle to cctz's own per-process copy, which it never frees
};

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (!IsValidName(name)) {
    return ZoneError("invalid zone name '" + std::string(name.substr(0, 64)) + "'");
  }

  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Data>, std::less<>> cache;
  {
    const std::lock_guard lock(mutex);
    if (const auto it = cache.find(name); it != cache.end()) return TimeZone(it->second);
  }

  // An absolute path, so that cctz does not prefix $TZDIR. cctz reports every failure the same
  // way (false, and UTC), so a missing file is told apart here.
  const std::string path = std::string(kZoneInfoDir) + std::string(name);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return ZoneError("unknown zone '" + std::string(name) + "'");
  }
  auto data = std::make_shared<Data>();
  data->name = std::string(name);
  if (!cctz::load_time_zone(path, &data->zone)) {
    return ZoneError("cctz cannot load '" + data->name + "' (not TZif, or it counts leap seconds)");
  }

  const std::lock_guard lock(mutex);
  // Another thread may have loaded the same zone meanwhile; keep the first so all share one.
  const auto [it, inserted] = cache.emplace(std::string(name), std::move(data));
  return TimeZone(it->second);
}

const std::string& TimeZone::Name() const {
  return data_->name;
}

std::chrono::seconds TimeZone::OffsetAt(std::chrono::sys_seconds instant) const {
  const cctz::time_point<cctz::seconds> at(cctz::seconds(instant.time_since_epoch().count()));
  return std::chrono::seconds(data_->zone.lookup(at).offset);
}

std::chrono::local_seconds TimeZone::ToLocal(std::chrono::sys_seconds instant) const {
  return std::chrono::local_seconds((instant + OffsetAt(instant)).time_since_epoch());
}

std::chrono::sys_seconds TimeZone::ToUtc(std::chrono::local_seconds local) const {
  const cctz::civil_second wall =
      cctz::civil_second(1970, 1, 1, 0, 0, 0) + local.time_since_epoch().count();
  const cctz::time_zone::civil_lookup lookup = data_->zone.lookup(wall);
  // `pre` applies the offset in effect before the transition. In a gap (SKIPPED) that is the
  // wall time moved forward by the gap; in an overlap (REPEATED) it is the earlier of the two
  // instants; for a UNIQUE wall time pre, trans and post are the same instant.
  return std::chrono::sys_seconds(std::chrono::seconds(lookup.pre.time_since_epoch().count()));
}

}  // namespace switchboard
