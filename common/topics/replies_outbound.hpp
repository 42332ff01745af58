#pragma once

#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A replies.outbound/1 value (schemas/replies.outbound.schema.json): a stored reply to send.
/// Optional members absent are empty.
struct Reply {
  std::string event_id;
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;   ///< the stored assistant message
  std::string in_reply_to;  ///< the stored inbound message it answers
  std::string channel;
  std::string channel_account_id;
  std::string recipient_id;
  std::string reply_to_platform_message_id;
  std::string text;
  std::string kind;  ///< ai, retrieval, fallback, limit, or human (a person through the admin API)
  std::string trace_id;
};

/// The contract of topic replies.outbound (agent → sender).
struct RepliesOutbound {
  static constexpr std::string_view kTopic = "replies.outbound";
  static constexpr std::string_view kSchema = "replies.outbound/1";

  /// The event id of the reply to stored inbound message `in_reply_to`: one reply per message.
  static std::string EventId(std::string_view in_reply_to);
  /// The event id of a person's reply, stored message `message_id` (one event per message).
  static std::string HumanReplyEventId(std::string_view message_id);
  /// The key: the conversation key of channel, account and recipient (the inbound key).
  static std::string Key(const Reply& reply);
  /// The record: key, JSON value, headers event-id, schema, tenant and trace-id.
  static OutboundRecord Encode(const Reply& reply);
  /// The reply in `record`; a non-retryable Error naming the member when event_id, business_id,
  /// conversation_id, message_id, channel, channel_account_id or recipient_id is missing or
  /// empty, text is missing (it may be empty), or the value is not a replies.outbound/1 object.
  /// trace_id falls back to the trace-id header.
  static Result<Reply> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
