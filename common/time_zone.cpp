#include "common/time_zone.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

namespace switchboard {

namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo/";
constexpr std::size_t kMaxNameLength = 255;
constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kRuleRangeSeconds = 10000LL * 366 * kSecondsPerDay;

Error ZoneError(std::string message) {
  return Error{"time zone: " + std::move(message), false};
}

/// One rule date of a POSIX TZ string: Jn (1-365, no Feb 29), n (0-365) or Mm.w.d.
struct RuleDate {
  enum class Kind { kJulianNoLeap, kJulianZero, kMonthWeekDay };
  Kind kind = Kind::kMonthWeekDay;
  int day = 0;  // Jn / n
  int month = 0, week = 0, weekday = 0;
  std::int64_t time = 2 * 3600;  // local seconds after midnight; may be negative or > 24h

  /// The local midnight (as a day count) that the rule names in `year`.
  sys_days DayIn(int year) const {
    using namespace std::chrono;
    const sys_days jan1 = sys_days(std::chrono::year{year} / January / 1);
    switch (kind) {
      case Kind::kJulianNoLeap: {
        const bool leap = std::chrono::year{year}.is_leap();
        return jan1 + days(day - 1 + (leap && day >= 60 ? 1 : 0));
      }
      case Kind::kJulianZero:
        return jan1 + days(day);
      case Kind::kMonthWeekDay:
        break;
    }
    const year_month ym = std::chrono::year{year} / month;
    const sys_days first = sys_days(ym / 1);
    const unsigned first_weekday = weekday_of(first);
    sys_days d =
        first + days((weekday - static_cast<int>(first_weekday) + 7) % 7) + days(7 * (week - 1));
    const sys_days last = sys_days(ym / std::chrono::last);
    while (d > last) d -= days(7);
    return d;
  }

  static unsigned weekday_of(sys_days d) { return std::chrono::weekday(d).c_encoding(); }
};

/// A POSIX TZ string: std offset, and optionally a DST offset with its start and end rules.
struct PosixRule {
  std::int64_t std_offset = 0;  // east positive
  std::optional<std::int64_t> dst_offset;
  RuleDate start, end;

  std::int64_t OffsetAt(std::int64_t t) const {
    if (!dst_offset) return std_offset;
    // Keep the year arithmetic in chrono's range; the rule repeats every year anyway.
    t = std::clamp<std::int64_t>(t, -kRuleRangeSeconds, kRuleRangeSeconds);
    const int year = static_cast<int>(
        std::chrono::year_month_day(std::chrono::floor<days>(sys_seconds(seconds(t + std_offset))))
            .year());
    // Transitions of the neighbouring years too: southern zones have DST across New Year and
    // rule times may lie outside the day they are anchored to.
    std::int64_t latest_at = INT64_MIN;
    std::int64_t offset = std_offset;
    for (int y = year - 1; y <= year + 1; ++y) {
      // Start is given in standard wall time, end in daylight wall time. Ordering per year
      // (start, then end) makes an all-year DST rule ("0/0,J365/25") stay in DST across New Year.
      const std::int64_t starts = Epoch(start.DayIn(y)) + start.time - std_offset;
      const std::int64_t ends = Epoch(end.DayIn(y)) + end.time - *dst_offset;
      if (starts <= t && starts >= latest_at) latest_at = starts, offset = *dst_offset;
      if (ends <= t && ends >= latest_at) latest_at = ends, offset = std_offset;
    }
    return offset;
  }

  static std::int64_t Epoch(sys_days d) { return d.time_since_epoch().count() * kSecondsPerDay; }
};

/// Reads a POSIX TZ string; every Parse* returns false on malformed input.
class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  std::optional<PosixRule> Parse() {
    PosixRule rule;
    std::int64_t offset = 0;
    if (!ParseName() || !ParseTime(offset, 24)) return std::nullopt;
    rule.std_offset = -offset;  // POSIX offsets are west positive
    if (AtEnd()) return rule;
    if (!ParseName()) return std::nullopt;
    rule.dst_offset = rule.std_offset + 3600;
    if (!AtEnd() && Peek() != ',') {
      if (!ParseTime(offset, 24)) return std::nullopt;
      rule.dst_offset = -offset;
    }
    if (AtEnd()) {
      // No rule given: POSIX leaves it to the implementation; glibc and tzcode use US rules.
      rule.start = {RuleDate::Kind::kMonthWeekDay, 0, 3, 2, 0};
      rule.end = {RuleDate::Kind::kMonthWeekDay, 0, 11, 1, 0};
      return rule;
    }
    if (!Eat(',') || !ParseDate(rule.start) || !Eat(',') || !ParseDate(rule.end) || !AtEnd()) {
      return std::nullopt;
    }
    return rule;
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

  bool ParseName() {
    std::size_t length = 0;
    if (Eat('<')) {
      while (!AtEnd() && Peek() != '>') {
        const char c = Peek();
        if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-') return false;
        ++pos_, ++length;
      }
      return Eat('>') && length >= 3;
    }
    while (IsAlpha(Peek())) ++pos_, ++length;
    return length >= 3;
  }

  bool ParseNumber(std::int64_t& out, std::int64_t max) {
    if (!IsDigit(Peek())) return false;
    out = 0;
    while (IsDigit(Peek())) {
      out = out * 10 + (s_[pos_++] - '0');
      if (out > max) return false;
    }
    return true;
  }

  /// [+-]hh[:mm[:ss]] into seconds; hours up to `max_hours`.
  bool ParseTime(std::int64_t& out, std::int64_t max_hours) {
    const bool negative = Peek() == '-';
    if (Peek() == '+' || Peek() == '-') ++pos_;
    std::int64_t hours = 0, minutes = 0, secs = 0;
    if (!ParseNumber(hours, max_hours)) return false;
    if (Eat(':')) {
      if (!ParseNumber(minutes, 59)) return false;
      if (Eat(':') && !ParseNumber(secs, 59)) return false;
    }
    out = hours * 3600 + minutes * 60 + secs;
    if (negative) out = -out;
    return true;
  }

  bool ParseDate(RuleDate& date) {
    std::int64_t a = 0, b = 0, c = 0;
    if (Eat('J')) {
      if (!ParseNumber(a, 365) || a < 1) return false;
      date.kind = RuleDate::Kind::kJulianNoLeap;
      date.day = static_cast<int>(a);
    } else if (Eat('M')) {
      if (!ParseNumber(a, 12) || a < 1 || !Eat('.') || !ParseNumber(b, 5) || b < 1 || !Eat('.') ||
          !ParseNumber(c, 6)) {
        return false;
      }
      date.kind = RuleDate::Kind::kMonthWeekDay;
      date.month = static_cast<int>(a), date.week = static_cast<int>(b);
      date.weekday = static_cast<int>(c);
    } else {
      if (!ParseNumber(a, 365)) return false;
      date.kind = RuleDate::Kind::kJulianZero;
      date.day = static_cast<int>(a);
    }
    date.time = 2 * 3600;
    // RFC 8536 (TZif v3) allows -167..167 hours here.
    if (Eat('/') && !ParseTime(date.time, 167)) return false;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

/// Big-endian reader over the bytes of a TZif file.
class TzifReader {
 public:
  explicit TzifReader(std::string_view bytes) : bytes_(bytes) {}

  bool Has(std::size_t n) const { return bytes_.size() - pos_ >= n; }
  std::size_t Position() const { return pos_; }
  void Skip(std::size_t n) { pos_ += n; }
  std::string_view Take(std::size_t n) {
    const std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::int64_t Signed(std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
      v = (v << 8) | static_cast<unsigned char>(bytes_[pos_++]);
    if (width < 8 && (v >> (8 * width - 1)) != 0) v |= ~std::uint64_t{0} << (8 * width);
    return static_cast<std::int64_t>(v);
  }
  std::string_view Rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::int64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  std::size_t DataSize(std::size_t time_size) const {
    return static_cast<std::size_t>(
        timecnt * static_cast<std::int64_t>(time_size) + timecnt + typecnt * 6 + charcnt +
        leapcnt * static_cast<std::int64_t>(time_size + 4) + isstdcnt + isutcnt);
  }
};

std::optional<TzifHeader> ReadHeader(TzifReader& in) {
  if (!in.Has(44) || in.Take(4) != "TZif") return std::nullopt;
  TzifHeader h;
  h.version = in.Take(1)[0];
  in.Skip(15);
  for (std::int64_t* field :
       {&h.isutcnt, &h.isstdcnt, &h.leapcnt, &h.timecnt, &h.typecnt, &h.charcnt}) {
    *field = in.Signed(4);
    if (*field < 0 || *field > 1'000'000) return std::nullopt;
  }
  return h;
}

}  // namespace

struct TimeZone::Data {
  struct Type {
    std::int64_t offset = 0;
    bool is_dst = false;
  };
  std::string name;
  std::vector<std::int64_t> transitions;  // ascending UTC seconds
  std::vector<std::uint8_t> type_after;   // type index in effect from transitions[i]
  std::vector<Type> types;                // at least one
  std::optional<PosixRule> footer;        // after the last transition

  std::int64_t OffsetAt(std::int64_t t) const {
    if (transitions.empty() || t >= transitions.back()) {
      if (footer) return footer->OffsetAt(t);
      return transitions.empty() ? types[0].offset : types[type_after.back()].offset;
    }
    // Before the first transition the first type applies (RFC 8536 section 3.2).
    const auto it = std::upper_bound(transitions.begin(), transitions.end(), t);
    if (it == transitions.begin()) return types[0].offset;
    return types[type_after[static_cast<std::size_t>(it - transitions.begin()) - 1]].offset;
  }
};

Result<TimeZone> TimeZone::FromTzif(std::string name, std::string_view bytes) {
  TzifReader in(bytes);
  auto header = ReadHeader(in);
  if (!header) return ZoneError("'" + name + "' is not a TZif file");
  std::size_t time_size = 4;
  if (header->version >= '2') {
    // Skip the 32-bit block; the 64-bit block that follows is complete and authoritative.
    if (!in.Has(header->DataSize(4))) return ZoneError("'" + name + "' is truncated");
    in.Skip(header->DataSize(4));
    header = ReadHeader(in);
    if (!header) return ZoneError("'" + name + "' has no valid second TZif header");
    time_size = 8;
  } else if (header->version != '\0') {
    return ZoneError("'" + name + "' has an unknown TZif version");
  }
  const TzifHeader& h = *header;
  if (!in.Has(h.DataSize(time_size))) return ZoneError("'" + name + "' is truncated");
  if (h.typecnt < 1) return ZoneError("'" + name + "' has no local time types");
  if (h.leapcnt > 0) return ZoneError("'" + name + "' counts leap seconds (unsupported)");

  auto data = std::make_shared<Data>();
  data->name = std::move(name);
  for (std::int64_t i = 0; i < h.timecnt; ++i) {
    data->transitions.push_back(in.Signed(time_size));
    if (i > 0 && data->transitions[i] <= data->transitions[i - 1]) {
      return ZoneError("'" + data->name + "' has unordered transitions");
    }
  }
  for (std::int64_t i = 0; i < h.timecnt; ++i) {
    const auto index = static_cast<std::uint8_t>(in.Signed(1));
    if (index >= h.typecnt) return ZoneError("'" + data->name + "' has a bad type index");
    data->type_after.push_back(index);
  }
  for (std::int64_t i = 0; i < h.typecnt; ++i) {
    Data::Type type;
    type.offset = in.Signed(4);
    type.is_dst = in.Signed(1) != 0;
    in.Skip(1);  // designation index: abbreviations are not needed
    if (type.offset <= -25 * 3600 || type.offset >= 26 * 3600) {
      return ZoneError("'" + data->name + "' has an out-of-range offset");
    }
    data->types.push_back(type);
  }
  in.Skip(static_cast<std::size_t>(h.charcnt + h.isstdcnt + h.isutcnt));

  if (time_size == 8) {
    // Footer: "\n<POSIX TZ string>\n"; an empty string means no rule after the last transition.
    const std::string_view rest = in.Rest();
    if (rest.size() < 2 || rest[0] != '\n') return ZoneError("'" + data->name + "' has no footer");
    const std::size_t end = rest.find('\n', 1);
    if (end == std::string_view::npos) return ZoneError("'" + data->name + "' has a bad footer");
    const std::string_view tz = rest.substr(1, end - 1);
    if (!tz.empty()) {
      data->footer = PosixParser(tz).Parse();
      if (!data->footer) {
        return ZoneError("'" + data->name + "' has an unsupported TZ rule '" + std::string(tz) +
                         "'");
      }
    }
  }
  return TimeZone(std::move(data));
}

Result<TimeZone> TimeZone::FromPosixRule(std::string_view rule) {
  auto parsed = PosixParser(rule).Parse();
  if (!parsed) return ZoneError("cannot parse TZ rule '" + std::string(rule) + "'");
  auto data = std::make_shared<Data>();
  data->name = std::string(rule);
  data->types.push_back({parsed->std_offset, false});
  data->footer = std::move(parsed);
  return TimeZone(std::move(data));
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  const bool valid_chars = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+' || c == '.';
  });
  if (name.empty() || name.size() > kMaxNameLength || !valid_chars || name.front() == '/' ||
      name.back() == '/' || name.find("..") != std::string_view::npos ||
      name.find("//") != std::string_view::npos || name.front() == '.') {
    return ZoneError("invalid zone name '" + std::string(name.substr(0, 64)) + "'");
  }

  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Data>, std::less<>> cache;
  {
    const std::lock_guard lock(mutex);
    if (const auto it = cache.find(name); it != cache.end()) return TimeZone(it->second);
  }

  const std::string path = std::string(kZoneInfoDir) + std::string(name);
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  if (!file || !(contents << file.rdbuf())) {
    return ZoneError("unknown zone '" + std::string(name) + "'");
  }
  auto zone = FromTzif(std::string(name), contents.str());
  if (!zone.ok()) return zone;

  const std::lock_guard lock(mutex);
  // Another thread may have parsed the same zone meanwhile; keep the first so all share one.
  const auto [it, inserted] = cache.emplace(std::string(name), zone->data_);
  return TimeZone(it->second);
}

const std::string& TimeZone::Name() const {
  return data_->name;
}

std::chrono::seconds TimeZone::OffsetAt(std::chrono::sys_seconds instant) const {
  return seconds(data_->OffsetAt(instant.time_since_epoch().count()));
}

std::chrono::local_seconds TimeZone::ToLocal(std::chrono::sys_seconds instant) const {
  return std::chrono::local_seconds((instant + OffsetAt(instant)).time_since_epoch());
}

std::chrono::sys_seconds TimeZone::ToUtc(std::chrono::local_seconds local) const {
  const std::int64_t wall = local.time_since_epoch().count();
  // Offsets never exceed a day and transitions are far more than a day apart, so the offsets in
  // effect a day either side of the wall time are the only candidates.
  const std::int64_t before = data_->OffsetAt(wall - kSecondsPerDay);
  const std::int64_t after = data_->OffsetAt(wall + kSecondsPerDay);
  std::optional<std::int64_t> earliest;
  for (const std::int64_t offset : {before, after}) {
    const std::int64_t utc = wall - offset;
    if (data_->OffsetAt(utc) == offset && (!earliest || utc < *earliest)) earliest = utc;
  }
  // In a gap no offset matches: apply the offset from before the jump, which moves the wall time
  // forward by the size of the gap.
  return sys_seconds(seconds(earliest ? *earliest : wall - before));
}

}  // namespace switchboard
