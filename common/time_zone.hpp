#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace switchboard {

/// An IANA time zone from the system's tzdata (/usr/share/zoneinfo), evaluated by cctz (GCC 12's
/// libstdc++ has no std::chrono::tzdb).
///
/// Instants after the file's last transition follow the POSIX TZ rule in the file's footer.
/// Copies are cheap and share the loaded zone; all methods are const and thread-safe.
class TimeZone final {
 public:
  /// The zone `name` (e.g. "Europe/Berlin") from /usr/share/zoneinfo ($TZDIR is not consulted),
  /// loaded once per process and cached. An error (not retryable) for an invalid name ("..",
  /// leading '/', odd characters), a missing zone, or a file cctz cannot load (not TZif, or
  /// counting leap seconds as the right/ zones do); a file that failed stays failed until restart.
  static Result<TimeZone> Load(std::string_view name);

  /// The name the zone was loaded under.
  const std::string& Name() const;

  /// The offset from UTC (east positive) in effect at `instant`.
  std::chrono::seconds OffsetAt(std::chrono::sys_seconds instant) const;

  /// The wall-clock time at `instant`.
  std::chrono::local_seconds ToLocal(std::chrono::sys_seconds instant) const;

  /// The instant at which the wall clock shows `local`. A time skipped by a forward jump (gap)
  /// is shifted forward by the gap (02:30 on a 02:00->03:00 day is 03:30 after the jump); a time
  /// shown twice (fall back) maps to the earlier instant.
  std::chrono::sys_seconds ToUtc(std::chrono::local_seconds local) const;

  /// The loaded zone (opaque; defined in time_zone.cpp, which alone includes cctz).
  struct Data;

 private:
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

  std::shared_ptr<const Data> data_;
};

}  // namespace switchboard
