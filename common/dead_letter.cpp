#include "common/dead_letter.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <vector>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/token_cipher.hpp"

namespace switchboard {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

/// The parts of a record that a dead letter keeps, whether or not it was ever in Kafka.
struct OriginalRecord {
  std::string_view topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::optional<std::int64_t> timestamp_ms;
  std::string_view key;
  std::string_view value;
  const std::vector<Header>& headers;
};

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

/// Writes `bytes` as a JSON string when they are UTF-8, else as base64; returns the encoding.
std::string_view WriteBytes(JsonWriter& writer, std::string_view bytes) {
  if (IsValidUtf8(bytes)) {
    WriteString(writer, bytes);
    return "utf8";
  }
  WriteString(writer, Base64Encode(bytes));
  return "base64";
}

void WriteHeaders(JsonWriter& writer, const std::vector<Header>& headers) {
  writer.StartArray();
  for (const Header& header : headers) {
    writer.StartObject();
    writer.Key("name");
    WriteBytes(writer, header.name);
    writer.Key("value");
    const std::string_view encoding = WriteBytes(writer, header.value);
    if (encoding != "utf8") {
      writer.Key("value_encoding");
      WriteString(writer, encoding);
    }
    writer.EndObject();
  }
  writer.EndArray();
}

std::string DeadLetterEventId(const OriginalRecord& original, const DeadLetterInfo& info) {
  const std::string partition = std::to_string(original.partition);
  const std::string offset = std::to_string(original.offset);
  const std::optional<std::string_view> event_id = FindHeader(original.headers, "event-id");
  // A record that never was in Kafka has no offset to tell two failures apart: its own event id
  // (or its bytes) does, so a retried ingest dead-letters under the same id.
  return EventIdFor({DeadLetterTopic(original.topic), original.topic, partition, offset,
                     event_id.value_or(std::string_view()), original.key, original.value,
                     info.stage});
}

std::string EnvelopeJson(const OriginalRecord& original, const DeadLetterInfo& info,
                         const std::string& event_id) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("event_id");
  WriteString(writer, event_id);
  writer.Key("schema");
  WriteString(writer, kDeadLetterSchema);
  writer.Key("original_topic");
  WriteBytes(writer, original.topic);
  writer.Key("original_partition");
  writer.Int(original.partition);
  writer.Key("original_offset");
  writer.Int64(original.offset);
  if (original.timestamp_ms) {
    writer.Key("original_timestamp");
    WriteString(writer, FormatUtcMillis(*original.timestamp_ms));
  }
  writer.Key("key");
  const std::string_view key_encoding = WriteBytes(writer, original.key);
  writer.Key("key_encoding");
  WriteString(writer, key_encoding);
  writer.Key("value");
  const std::string_view value_encoding = WriteBytes(writer, original.value);
  writer.Key("value_encoding");
  WriteString(writer, value_encoding);
  writer.Key("headers");
  WriteHeaders(writer, original.headers);
  writer.Key("stage");
  WriteBytes(writer, info.stage);
  writer.Key("error");
  WriteBytes(writer, info.error);
  writer.Key("attempts");
  writer.Int(info.attempts);
  writer.Key("first_failure_at");
  WriteString(writer, FormatUtcMillis(info.first_failure_ms));
  writer.Key("last_failure_at");
  WriteString(writer, FormatUtcMillis(info.last_failure_ms));
  if (const auto trace_id = FindHeader(original.headers, "trace-id")) {
    writer.Key("trace_id");
    WriteBytes(writer, *trace_id);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

/// The original's headers with "schema" pointing at the dead-letter schema and "event-id" at
/// the dead letter's own id; the original event id stays readable as "original-event-id".
std::vector<Header> DeadLetterHeaders(const std::vector<Header>& headers,
                                      const std::string& event_id) {
  std::vector<Header> out;
  out.push_back({"event-id", event_id});
  out.push_back({"schema", std::string(kDeadLetterSchema)});
  for (const Header& header : headers) {
    if (header.name == "schema") continue;
    if (header.name == "event-id") {
      out.push_back({"original-event-id", header.value});
      continue;
    }
    out.push_back(header);
  }
  return out;
}

OutboundRecord Build(const OriginalRecord& original, const DeadLetterInfo& info) {
  std::string event_id = DeadLetterEventId(original, info);
  OutboundRecord record;
  record.topic = DeadLetterTopic(original.topic);
  record.key = std::string(original.key);
  record.value = EnvelopeJson(original, info, event_id);
  record.headers = DeadLetterHeaders(original.headers, event_id);
  return record;
}

}  // namespace

std::string DeadLetterTopic(std::string_view topic) {
  return std::string(topic) + ".dlq";
}

OutboundRecord DeadLetterFor(const ConsumedRecord& original, const DeadLetterInfo& info) {
  return Build({.topic = original.topic,
                .partition = original.partition,
                .offset = original.offset,
                .timestamp_ms = original.timestamp_ms,
                .key = original.key,
                .value = original.value,
                .headers = original.headers},
               info);
}

OutboundRecord DeadLetterFor(const OutboundRecord& original, const DeadLetterInfo& info) {
  return Build({.topic = original.topic,
                .partition = -1,
                .offset = -1,
                .timestamp_ms = std::nullopt,
                .key = original.key,
                .value = original.value,
                .headers = original.headers},
               info);
}

}  // namespace switchboard
