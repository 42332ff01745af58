#pragma once

// The agent's records: the messages.resolved record it consumes and the replies.outbound and
// usage.events records it produces. The only file of the agent that spells its topics, so that
// moving to the topic contract units (common/topics/) touches this unit alone.

#include <string>
#include <string_view>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "workers/agent/context.hpp"

namespace switchboard::agent {

/// The fields of a messages.resolved/1 record the agent uses.
struct ResolvedMessage {
  std::string event_id;
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;
  std::string channel;
  std::string channel_account_id;
  std::string sender_id;
  std::string platform_message_id;
  std::string type;
  std::string text;
  std::string trace_id;
  /// Another app owns the thread (Messenger handover): the agent must not answer.
  bool standby = false;
};

/// The messages.resolved value `json`; a non-retryable Error naming the missing or mistyped
/// field when it is not one.
Result<ResolvedMessage> ParseResolvedMessage(std::string_view json);

/// The message in a consumed messages.resolved `record` (ParseResolvedMessage of its value), its
/// trace id taken from the trace-id header when that is present and not empty.
Result<ResolvedMessage> DecodeResolvedMessage(const ConsumedRecord& record);

/// The event id of the reply to `message`: EventIdFor({"replies.outbound", message_id}), the same
/// every time the message is answered (messages.event_id of the stored reply).
std::string ReplyEventId(const ResolvedMessage& message);

/// The replies.outbound and usage.events records of a stored reply to `message`: reply event id
/// ReplyEventId(message), usage event id EventIdFor({"usage.events", "reply", message_id}) with
/// messages 1 and `llm_tokens`.
std::vector<OutboundRecord> ReplyRecords(const ResolvedMessage& message, const StoredReply& reply);

}  // namespace switchboard::agent
