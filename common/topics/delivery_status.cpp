#include "common/topics/delivery_status.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {
namespace {

/// Free-form JSON of member `name` (an object or an array), cut at `max_depth` levels; empty
/// when absent or of another type.
std::string FreeFormOf(const json::Value& value, std::string_view name, int max_depth) {
  const json::Value* member = json::Find(value, name);
  if (member == nullptr || !(member->IsObject() || member->IsArray())) return {};
  return json::Writer().Copy(*member, max_depth).Take();
}

}  // namespace

std::string DeliveryStatus::EventId(std::string_view channel, std::string_view platform_message_id,
                                    std::string_view status, std::string_view when) {
  return EventIdFor({kTopic, channel, platform_message_id, status, when});
}

std::string DeliveryStatus::WatermarkEventId(std::string_view channel, std::string_view account,
                                             std::string_view recipient, std::string_view status,
                                             std::string_view watermark) {
  return EventIdFor({kTopic, channel, account, recipient, status, watermark});
}

std::string DeliveryStatus::SystemErrorEventId(std::string_view channel, std::string_view account,
                                               std::string_view delivery_digest,
                                               std::string_view position) {
  return EventIdFor({kTopic, channel, account, "error", delivery_digest, position});
}

std::string DeliveryStatus::Key(const StatusEvent& event) {
  if (event.recipient_id.empty()) return event.channel + ':' + event.channel_account_id;
  return ConversationKey(event.channel, event.channel_account_id, event.recipient_id);
}

OutboundRecord DeliveryStatus::Encode(const StatusEvent& event) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", event.event_id)
      .Field("schema", kSchema)
      .Field("channel", event.channel)
      .Field("channel_account_id", event.channel_account_id)
      .Field("platform_message_id", event.platform_message_id)
      .Field("status", event.status)
      .NonEmptyField("recipient_id", event.recipient_id)
      .NonEmptyField("timestamp", event.timestamp)
      .NonEmptyField("watermark", event.watermark)
      .Field("received_at", event.received_at);
  WriteErrors(writer, event.errors);
  if (!event.conversation_json.empty()) {
    writer.Key("conversation").JsonOrString(event.conversation_json);
  }
  if (!event.pricing_json.empty()) writer.Key("pricing").JsonOrString(event.pricing_json);
  writer.Field("biz_opaque_callback_data", event.biz_opaque_callback_data)
      .Field("trace_id", event.trace_id)
      .EndObject();
  return {.topic = std::string(kTopic),
          .key = Key(event),
          .value = writer.Take(),
          .headers = RecordHeaders(event.event_id, kSchema, "", event.trace_id)};
}

Result<StatusEvent> DeliveryStatus::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  StatusEvent event;
  event.event_id = reader.Required("event_id");
  event.channel = reader.Required("channel");
  event.channel_account_id = reader.Required("channel_account_id");
  event.status = reader.Required("status");
  event.recipient_id = reader.Optional("recipient_id");
  event.timestamp = reader.Optional("timestamp");
  event.watermark = reader.Optional("watermark");
  event.received_at = reader.Optional("received_at");
  event.trace_id = reader.Optional("trace_id");
  if (event.trace_id.empty()) {
    event.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  const json::Value& value = reader.Object();
  event.platform_message_id = json::String(value, "platform_message_id");
  event.errors = ReadErrors(value);
  event.conversation_json = FreeFormOf(value, "conversation", kFreeFormDepth);
  event.pricing_json = FreeFormOf(value, "pricing", kFreeFormDepth);
  event.biz_opaque_callback_data = json::String(value, "biz_opaque_callback_data");
  return reader.Finish(std::move(event));
}

}  // namespace switchboard::topics
