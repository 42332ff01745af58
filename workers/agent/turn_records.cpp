#include "workers/agent/turn_records.hpp"

#include "common/encoding.hpp"
#include "common/topics/replies_outbound.hpp"
#include "common/topics/usage_events.hpp"

namespace switchboard::agent {

std::string ReplyEventId(const ResolvedMessage& message) {
  return topics::RepliesOutbound::EventId(message.message_id);
}

std::vector<OutboundRecord> ReplyRecords(const ResolvedMessage& message, const StoredReply& reply) {
  const topics::Reply outbound{.event_id = ReplyEventId(message),
                               .business_id = message.business_id,
                               .customer_id = message.customer_id,
                               .conversation_id = message.conversation_id,
                               .message_id = reply.message_id,
                               .in_reply_to = message.message_id,
                               .channel = message.channel,
                               .channel_account_id = message.channel_account_id,
                               .recipient_id = message.sender_id,
                               .reply_to_platform_message_id = message.platform_message_id,
                               .text = reply.content,
                               .kind = reply.kind,
                               .trace_id = message.trace_id};
  const topics::UsageEvent usage{
      .event_id = topics::UsageEvents::EventId("reply", message.message_id),
      .business_id = message.business_id,
      .kind = "reply",
      .occurred_at = FormatUtcMillis(
          std::chrono::duration_cast<std::chrono::milliseconds>(reply.created_at.time_since_epoch())
              .count()),
      .messages = 1,
      .llm_tokens = reply.llm_tokens,
      .voice_seconds = 0,
      .trace_id = message.trace_id};
  return {topics::RepliesOutbound::Encode(outbound), topics::UsageEvents::Encode(usage)};
}

}  // namespace switchboard::agent
