#include "workers/admin/replay_range.hpp"

#include <algorithm>
#include <cstdio>

#include "common/encoding.hpp"
#include "common/json.hpp"

namespace switchboard::admin {

ReplayRange RangeFor(const TopicPartition& partition, const Watermarks& marks, std::int64_t from,
                     std::optional<std::int64_t> to) {
  ReplayRange range{.partition = partition};
  range.to = std::min(to.value_or(marks.high), marks.high);
  range.from = std::min(std::max(from, marks.low), range.to);
  range.to = std::max(range.to, range.from);
  return range;
}

std::string ReplayJsonLine(const ConsumedRecord& record) {
  json::Writer writer;
  writer.StartObject()
      .Field("topic", record.topic)
      .Field("partition", static_cast<std::int64_t>(record.partition))
      .Field("offset", record.offset)
      .Field("timestamp", FormatUtcMillis(record.timestamp_ms))
      .Field("key", record.key)
      .Key("headers")
      .StartArray();
  for (const Header& header : record.headers) {
    writer.StartObject().Field("name", header.name).Field("value", header.value).EndObject();
  }
  writer.EndArray().Key("value").JsonOrString(record.value);
  writer.EndObject();
  return writer.Take();
}

OutboundRecord ReplayedRecord(const ConsumedRecord& record, const std::string& target) {
  OutboundRecord out{.topic = target, .key = record.key, .value = record.value};
  out.headers = record.headers;
  out.headers.push_back(
      {std::string(kReplayedFromHeader), record.topic + "/" + std::to_string(record.partition) +
                                             "/" + std::to_string(record.offset)});
  return out;
}

std::string ProgressLine(std::int64_t done, std::int64_t total, double elapsed_seconds) {
  constexpr int kWidth = 30;
  const double share = total > 0 ? std::min(1.0, static_cast<double>(done) / total) : 1.0;
  const int filled = static_cast<int>(share * kWidth);
  const double rate = elapsed_seconds > 0 ? done / elapsed_seconds : 0.0;
  std::string eta = "-";
  if (rate > 0) eta = std::to_string(static_cast<std::int64_t>((total - done) / rate + 0.5)) + "s";
  char text[160];
  std::snprintf(text, sizeof text, "[%s%s] %lld/%lld records  %.0f/s  ETA %s",
                std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(),
                static_cast<long long>(done), static_cast<long long>(total), rate, eta.c_str());
  return text;
}

}  // namespace switchboard::admin
