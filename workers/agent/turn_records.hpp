#pragma once

// The agent's records: the messages.resolved message it answers and the replies.outbound and
// usage.events records of its reply, through the topic contract units (common/topics/).

#include <string>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/topics/messages_resolved.hpp"
#include "workers/agent/context.hpp"

namespace switchboard::agent {

/// The customer's stored message the agent answers (topics::MessagesResolved's value).
using topics::ResolvedMessage;

/// The event id of the reply to `message`, the same every time the message is answered
/// (messages.event_id of the stored reply).
std::string ReplyEventId(const ResolvedMessage& message);

/// The replies.outbound and usage.events records of a stored reply to `message`: the reply
/// (event id ReplyEventId) and its usage (event id of kind "reply" for the message, messages 1,
/// the reply's LLM tokens, occurred at the reply's creation time, so a re-emitted event is byte
/// for byte the same).
std::vector<OutboundRecord> ReplyRecords(const ResolvedMessage& message, const StoredReply& reply);

}  // namespace switchboard::agent
