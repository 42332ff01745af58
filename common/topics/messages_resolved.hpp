#pragma once

#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A messages.resolved/1 value (schemas/messages.resolved.schema.json): an inbound message
/// stored with its tenant, customer and conversation. Optional members absent are empty.
struct ResolvedMessage {
  std::string event_id;
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;  ///< the stored inbound message
  std::string channel;     ///< whatsapp, instagram or messenger
  std::string channel_account_id;
  std::string sender_id;
  std::string platform_message_id;
  std::string type;
  std::string text;
  std::string sent_at;  ///< ISO-8601 or empty
  std::string received_at;
  /// Another app owns the thread (Messenger handover): nobody may answer.
  bool standby = false;
  std::string trace_id;
};

/// The contract of topic messages.resolved (resolver → agent).
struct MessagesResolved {
  static constexpr std::string_view kTopic = "messages.resolved";
  static constexpr std::string_view kSchema = "messages.resolved/1";

  /// The event id announcing stored message `message_id`: the same each time it is announced.
  static std::string EventId(std::string_view message_id);
  /// The key: the conversation key of channel, account and sender (as messages.inbound).
  static std::string Key(const ResolvedMessage& message);
  /// The record: key, JSON value, headers event-id, schema, tenant and trace-id.
  static OutboundRecord Encode(const ResolvedMessage& message);
  /// The message in `record`; a non-retryable Error naming the member when business_id,
  /// customer_id, conversation_id, message_id, channel, channel_account_id or sender_id is
  /// missing or empty, or the value is not a messages.resolved/1 object. trace_id falls back to
  /// the trace-id header.
  static Result<ResolvedMessage> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
