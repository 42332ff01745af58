#include "common/topics/messages_resolved.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string MessagesResolved::EventId(std::string_view message_id) {
  return EventIdFor({kTopic, message_id});
}

std::string MessagesResolved::Key(const ResolvedMessage& message) {
  return ConversationKey(message.channel, message.channel_account_id, message.sender_id);
}

OutboundRecord MessagesResolved::Encode(const ResolvedMessage& message) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", message.event_id)
      .Field("schema", kSchema)
      .Field("business_id", message.business_id)
      .Field("customer_id", message.customer_id)
      .Field("conversation_id", message.conversation_id)
      .Field("message_id", message.message_id)
      .Field("channel", message.channel)
      .Field("channel_account_id", message.channel_account_id)
      .Field("sender_id", message.sender_id)
      .NonEmptyField("platform_message_id", message.platform_message_id)
      .Field("type", message.type)
      .Field("text", message.text)
      .NonEmptyField("sent_at", message.sent_at)
      .Field("received_at", message.received_at);
  if (message.standby) writer.Field("standby", true);
  writer.Field("trace_id", message.trace_id).EndObject();
  return {
      .topic = std::string(kTopic),
      .key = Key(message),
      .value = writer.Take(),
      .headers = RecordHeaders(message.event_id, kSchema, message.business_id, message.trace_id)};
}

Result<ResolvedMessage> MessagesResolved::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  ResolvedMessage message;
  message.business_id = reader.Required("business_id");
  message.customer_id = reader.Required("customer_id");
  message.conversation_id = reader.Required("conversation_id");
  message.message_id = reader.Required("message_id");
  message.channel = reader.Required("channel");
  message.channel_account_id = reader.Required("channel_account_id");
  message.sender_id = reader.Required("sender_id");
  message.event_id = reader.Optional("event_id");
  message.platform_message_id = reader.Optional("platform_message_id");
  message.type = reader.Optional("type");
  message.text = reader.Optional("text");
  message.sent_at = reader.Optional("sent_at");
  message.received_at = reader.Optional("received_at");
  message.standby = reader.Flag("standby");
  message.trace_id = reader.Optional("trace_id");
  if (message.trace_id.empty()) {
    message.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  return reader.Finish(std::move(message));
}

}  // namespace switchboard::topics
