#include "common/dead_letter.hpp"

#include <charconv>
#include <optional>
#include <vector>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/token_cipher.hpp"
#include "common/topics/record.hpp"

namespace switchboard {
namespace {

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

/// Writes `bytes` as a JSON string when they are UTF-8, else as base64; returns the encoding.
std::string_view WriteBytes(json::Writer& writer, std::string_view bytes) {
  if (IsValidUtf8(bytes)) {
    writer.String(bytes);
    return "utf8";
  }
  writer.String(Base64Encode(bytes));
  return "base64";
}

void WriteHeaders(json::Writer& writer, const std::vector<Header>& headers) {
  writer.StartArray();
  for (const Header& header : headers) {
    writer.StartObject().Key("name");
    WriteBytes(writer, header.name);
    writer.Key("value");
    const std::string_view encoding = WriteBytes(writer, header.value);
    if (encoding != "utf8") writer.Field("value_encoding", encoding);
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
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", event_id)
      .Field("schema", kDeadLetterSchema)
      .Key("original_topic");
  WriteBytes(writer, original.topic);
  writer.Field("original_partition", original.partition).Field("original_offset", original.offset);
  if (original.timestamp_ms) {
    writer.Field("original_timestamp", FormatUtcMillis(*original.timestamp_ms));
  }
  writer.Key("key");
  writer.Field("key_encoding", WriteBytes(writer, original.key)).Key("value");
  writer.Field("value_encoding", WriteBytes(writer, original.value)).Key("headers");
  WriteHeaders(writer, original.headers);
  writer.Key("stage");
  WriteBytes(writer, info.stage);
  writer.Key("error");
  WriteBytes(writer, info.error);
  writer.Field("attempts", info.attempts)
      .Field("first_failure_at", FormatUtcMillis(info.first_failure_ms))
      .Field("last_failure_at", FormatUtcMillis(info.last_failure_ms));
  if (const auto trace_id = FindHeader(original.headers, "trace-id")) {
    writer.Key("trace_id");
    WriteBytes(writer, *trace_id);
  }
  writer.EndObject();
  return writer.Take();
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

/// The attempts a re-driven record's earlier dead letter counted (0 for any other record).
std::int32_t EarlierAttempts(const std::vector<Header>& headers) {
  const std::optional<std::string_view> text = FindHeader(headers, kDeadLetterAttemptsHeader);
  if (!text) return 0;
  std::int32_t attempts = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), attempts);
  if (error != std::errc() || end != text->data() + text->size() || attempts < 0 ||
      attempts > 1000000) {
    return 0;
  }
  return attempts;
}

OutboundRecord Build(const OriginalRecord& original, DeadLetterInfo info) {
  info.attempts += EarlierAttempts(original.headers);
  std::string event_id = DeadLetterEventId(original, info);
  OutboundRecord record;
  record.topic = DeadLetterTopic(original.topic);
  record.key = std::string(original.key);
  record.value = EnvelopeJson(original, info, event_id);
  record.headers = DeadLetterHeaders(original.headers, event_id);
  return record;
}

/// The bytes `text` stands for in `encoding` (utf8 or base64); nullopt when it is neither or
/// the base64 is broken.
std::optional<std::string> DecodeBytes(std::string text, std::string_view encoding) {
  if (encoding == "utf8") return text;
  if (encoding != "base64") return std::nullopt;
  Result<std::string> bytes = Base64Decode(text);
  if (!bytes.ok()) return std::nullopt;
  return std::move(bytes).value();
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

OutboundRecord DeadLetterRecord(const OutboundRecord& original, std::string_view stage,
                                std::string_view error, std::int64_t failed_at_ms) {
  return DeadLetterFor(original, DeadLetterInfo{.stage = std::string(stage),
                                                .error = std::string(error),
                                                .attempts = 1,
                                                .first_failure_ms = failed_at_ms,
                                                .last_failure_ms = failed_at_ms});
}

Result<DeadLetter> DecodeDeadLetter(const ConsumedRecord& record) {
  topics::ValueReader reader(record.topic, kDeadLetterSchema, record.value);
  DeadLetter letter;
  letter.event_id = reader.Required("event_id");
  letter.original_topic = reader.Required("original_topic");
  letter.original_timestamp = reader.Optional("original_timestamp");
  std::string key = reader.Present("key");
  const std::string key_encoding = reader.Required("key_encoding");
  std::string value = reader.Present("value");
  const std::string value_encoding = reader.Required("value_encoding");
  letter.stage = reader.Required("stage");
  letter.error = reader.Present("error");
  letter.first_failure_at = reader.Required("first_failure_at");
  letter.last_failure_at = reader.Required("last_failure_at");
  letter.trace_id = reader.Optional("trace_id");
  Result<DeadLetter> read = reader.Finish(std::move(letter));
  if (!read.ok()) return read;
  letter = std::move(read).value();

  const auto problem = [&record](std::string_view what) {
    return Error{record.topic + ": " + std::string(what), false};
  };
  const json::Value& envelope = reader.Object();
  const std::optional<std::int64_t> partition = json::Int(envelope, "original_partition");
  const std::optional<std::int64_t> offset = json::Int(envelope, "original_offset");
  const std::optional<std::int64_t> attempts = json::Int(envelope, "attempts");
  if (!partition || *partition < -1 || *partition > INT32_MAX) {
    return problem("original_partition is missing or not a partition");
  }
  if (!offset || *offset < -1) return problem("original_offset is missing or not an offset");
  if (!attempts || *attempts < 1) return problem("attempts is missing or not a positive integer");
  letter.original_partition = static_cast<std::int32_t>(*partition);
  letter.original_offset = *offset;
  letter.attempts = *attempts;

  std::optional<std::string> key_bytes = DecodeBytes(std::move(key), key_encoding);
  if (!key_bytes) return problem("key is not " + key_encoding);
  std::optional<std::string> value_bytes = DecodeBytes(std::move(value), value_encoding);
  if (!value_bytes) return problem("value is not " + value_encoding);
  letter.key = std::move(*key_bytes);
  letter.value = std::move(*value_bytes);

  const json::Value* headers = json::Find(envelope, "headers");
  if (headers == nullptr || !headers->IsArray()) return problem("headers is not an array");
  for (const json::Value& header : headers->GetArray()) {
    const std::optional<std::string> name = json::String(header, "name");
    std::optional<std::string> text = json::String(header, "value");
    if (!name || !text) return problem("a header has no name or value");
    std::optional<std::string> bytes =
        DecodeBytes(std::move(*text), json::StringOr(header, "value_encoding", "utf8"));
    if (!bytes) return problem("the value of header " + *name + " is not what it says");
    letter.headers.push_back({*name, std::move(*bytes)});
  }
  return letter;
}

OutboundRecord RedriveRecord(const DeadLetter& letter) {
  OutboundRecord record{.topic = letter.original_topic, .key = letter.key, .value = letter.value};
  for (const Header& header : letter.headers) {
    if (header.name != kDeadLetterAttemptsHeader) record.headers.push_back(header);
  }
  record.headers.push_back(
      {std::string(kDeadLetterAttemptsHeader), std::to_string(letter.attempts)});
  return record;
}

}  // namespace switchboard
