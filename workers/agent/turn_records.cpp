#include "workers/agent/turn_records.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/encoding.hpp"
#include "common/hmac.hpp"

namespace switchboard::agent {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::string_view kRepliesTopic = "replies.outbound";
constexpr std::string_view kUsageTopic = "usage.events";

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteField(JsonWriter& writer, const char* key, std::string_view text) {
  writer.Key(key);
  WriteString(writer, text);
}

std::vector<Header> RecordHeaders(const std::string& event_id, std::string_view schema,
                                  const ResolvedMessage& message) {
  return {{"event-id", event_id},
          {"schema", std::string(schema)},
          {"tenant", message.business_id},
          {"trace-id", message.trace_id}};
}

std::string RequiredString(const rapidjson::Value& object, const char* name, Error& error) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    if (error.message.empty()) error.message = std::string("missing or empty field ") + name;
    return "";
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::string OptionalString(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

}  // namespace

Result<ResolvedMessage> ParseResolvedMessage(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Error{"messages.resolved value is not a JSON object", false};
  }
  Error error;
  ResolvedMessage message;
  message.business_id = RequiredString(document, "business_id", error);
  message.customer_id = RequiredString(document, "customer_id", error);
  message.conversation_id = RequiredString(document, "conversation_id", error);
  message.message_id = RequiredString(document, "message_id", error);
  message.channel = RequiredString(document, "channel", error);
  message.channel_account_id = RequiredString(document, "channel_account_id", error);
  message.sender_id = RequiredString(document, "sender_id", error);
  if (!error.message.empty()) return Error{"messages.resolved: " + error.message, false};
  message.event_id = OptionalString(document, "event_id");
  message.platform_message_id = OptionalString(document, "platform_message_id");
  message.type = OptionalString(document, "type");
  message.text = OptionalString(document, "text");
  message.trace_id = OptionalString(document, "trace_id");
  const auto standby = document.FindMember("standby");
  message.standby =
      standby != document.MemberEnd() && standby->value.IsBool() && standby->value.GetBool();
  return message;
}

Result<ResolvedMessage> DecodeResolvedMessage(const ConsumedRecord& record) {
  auto parsed = ParseResolvedMessage(record.value);
  if (!parsed.ok()) return parsed;
  ResolvedMessage message = std::move(parsed).value();
  if (const auto trace = FindHeader(record.headers, "trace-id"); trace && !trace->empty()) {
    message.trace_id = std::string(*trace);
  }
  return message;
}

std::string ReplyEventId(const ResolvedMessage& message) {
  return EventIdFor({kRepliesTopic, message.message_id});
}

std::vector<OutboundRecord> ReplyRecords(const ResolvedMessage& message, const StoredReply& reply) {
  const std::string reply_event_id = ReplyEventId(message);
  const std::string usage_event_id = EventIdFor({kUsageTopic, "reply", message.message_id});
  const std::string key =
      message.channel + ":" + message.channel_account_id + ":" + message.sender_id;

  rapidjson::StringBuffer reply_buffer;
  JsonWriter writer(reply_buffer);
  writer.StartObject();
  WriteField(writer, "event_id", reply_event_id);
  WriteField(writer, "schema", "replies.outbound/1");
  WriteField(writer, "business_id", message.business_id);
  WriteField(writer, "customer_id", message.customer_id);
  WriteField(writer, "conversation_id", message.conversation_id);
  WriteField(writer, "message_id", reply.message_id);
  WriteField(writer, "in_reply_to", message.message_id);
  WriteField(writer, "channel", message.channel);
  WriteField(writer, "channel_account_id", message.channel_account_id);
  WriteField(writer, "recipient_id", message.sender_id);
  if (!message.platform_message_id.empty()) {
    WriteField(writer, "reply_to_platform_message_id", message.platform_message_id);
  }
  WriteField(writer, "text", reply.content);
  WriteField(writer, "kind", reply.kind);
  WriteField(writer, "trace_id", message.trace_id);
  writer.EndObject();

  rapidjson::StringBuffer usage_buffer;
  JsonWriter usage(usage_buffer);
  usage.StartObject();
  WriteField(usage, "event_id", usage_event_id);
  WriteField(usage, "schema", "usage.events/1");
  WriteField(usage, "business_id", message.business_id);
  WriteField(usage, "kind", "reply");
  // The reply's creation time, so a re-emitted event is byte-for-byte the same.
  WriteField(usage, "occurred_at",
             FormatUtcMillis(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 reply.created_at.time_since_epoch())
                                 .count()));
  usage.Key("messages");
  usage.Int64(1);
  usage.Key("llm_tokens");
  usage.Int64(reply.llm_tokens);
  usage.Key("voice_seconds");
  usage.Int64(0);
  WriteField(usage, "trace_id", message.trace_id);
  usage.EndObject();

  return {
      {std::string(kRepliesTopic), key,
       std::string(reply_buffer.GetString(), reply_buffer.GetSize()),
       RecordHeaders(reply_event_id, "replies.outbound/1", message)},
      {std::string(kUsageTopic), message.business_id,
       std::string(usage_buffer.GetString(), usage_buffer.GetSize()),
       RecordHeaders(usage_event_id, "usage.events/1", message)},
  };
}

}  // namespace switchboard::agent
