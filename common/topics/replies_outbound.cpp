#include "common/topics/replies_outbound.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string RepliesOutbound::EventId(std::string_view in_reply_to) {
  return EventIdFor({kTopic, in_reply_to});
}

std::string RepliesOutbound::HumanReplyEventId(std::string_view message_id) {
  return EventIdFor({kTopic, "human", message_id});
}

std::string RepliesOutbound::Key(const Reply& reply) {
  return ConversationKey(reply.channel, reply.channel_account_id, reply.recipient_id);
}

OutboundRecord RepliesOutbound::Encode(const Reply& reply) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", reply.event_id)
      .Field("schema", kSchema)
      .Field("business_id", reply.business_id)
      .Field("customer_id", reply.customer_id)
      .Field("conversation_id", reply.conversation_id)
      .Field("message_id", reply.message_id)
      .Field("in_reply_to", reply.in_reply_to)
      .Field("channel", reply.channel)
      .Field("channel_account_id", reply.channel_account_id)
      .Field("recipient_id", reply.recipient_id)
      .NonEmptyField("reply_to_platform_message_id", reply.reply_to_platform_message_id)
      .Field("text", reply.text)
      .Field("kind", reply.kind)
      .Field("trace_id", reply.trace_id)
      .EndObject();
  return {.topic = std::string(kTopic),
          .key = Key(reply),
          .value = writer.Take(),
          .headers = RecordHeaders(reply.event_id, kSchema, reply.business_id, reply.trace_id)};
}

Result<Reply> RepliesOutbound::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  Reply reply;
  reply.event_id = reader.Required("event_id");
  reply.business_id = reader.Required("business_id");
  reply.conversation_id = reader.Required("conversation_id");
  reply.message_id = reader.Required("message_id");
  reply.channel = reader.Required("channel");
  reply.channel_account_id = reader.Required("channel_account_id");
  reply.recipient_id = reader.Required("recipient_id");
  // The text may be empty here; the sender refuses a reply with nothing to send.
  reply.text = reader.Present("text");
  reply.customer_id = reader.Optional("customer_id");
  reply.in_reply_to = reader.Optional("in_reply_to");
  reply.reply_to_platform_message_id = reader.Optional("reply_to_platform_message_id");
  reply.kind = reader.Optional("kind");
  reply.trace_id = reader.Optional("trace_id");
  if (reply.trace_id.empty()) {
    reply.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  return reader.Finish(std::move(reply));
}

}  // namespace switchboard::topics
