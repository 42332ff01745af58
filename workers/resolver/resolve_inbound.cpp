#include "workers/resolver/resolve_inbound.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <pqxx/pqxx>

#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "common/topics/messages_resolved.hpp"

namespace switchboard::resolver {
namespace {

/// The messages.resolved value announcing `message` stored as `stored`; its event id depends on
/// the stored message only, so a re-announced duplicate carries the same id.
topics::ResolvedMessage Resolved(const InboundMessage& message, const StoredInbound& stored) {
  return {.event_id = topics::MessagesResolved::EventId(stored.message_id),
          .business_id = stored.business_id,
          .customer_id = stored.customer_id,
          .conversation_id = stored.conversation_id,
          .message_id = stored.message_id,
          .channel = message.channel,
          .channel_account_id = message.channel_account_id,
          .sender_id = message.sender_id,
          .platform_message_id = message.platform_message_id.value_or(""),
          .type = message.type,
          .text = message.text.value_or(""),
          .sent_at = message.sent_at,
          .received_at = message.received_at,
          .standby = message.standby,
          .trace_id = message.trace_id};
}

}  // namespace

InboundResolver::InboundResolver(db::ConnectionPool& pool, KafkaProducer& producer,
                                 prometheus::Registry& registry)
    : store_(pool),
      producer_(producer),
      unknown_accounts_(prometheus::BuildCounter()
                            .Name("switchboard_resolver_unknown_accounts_total")
                            .Help("Inbound messages dead-lettered because no active integration "
                                  "has their channel account")
                            .Register(registry)) {
  // Every channel's series exists from the start, so a rate() alert sees the first one.
  for (const char* channel : {"whatsapp", "instagram", "messenger"}) {
    unknown_accounts_.Add({{"channel", channel}});
  }
}

Outcome InboundResolver::Handle(const ConsumedRecord& record) {
  const auto parsed = topics::MessagesInbound::Decode(record);
  if (!parsed) {
    Log(LogLevel::kError, "malformed inbound message",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(FindHeader(record.headers, "trace-id").value_or(""))}});
    return Outcome::DeadLetter(parsed.error().message);
  }
  const InboundMessage& message = *parsed;
  StoredInbound stored;
  try {
    stored = store_.Store(message);
  } catch (const pqxx::data_exception& e) {
    // A value the database refuses (a timestamp it cannot read) fails the same way every time.
    Log(LogLevel::kError, "inbound message refused by the database",
        {{"error", e.what()}, {"event_id", message.event_id}, {"trace_id", message.trace_id}});
    return Outcome::DeadLetter(std::string(topics::MessagesInbound::kTopic) + ": " + e.what());
  }
  if (stored.business_id.empty()) {
    unknown_accounts_.Add({{"channel", message.channel}}).Increment();
    const std::string account = message.channel + ":" + message.channel_account_id;
    Log(LogLevel::kWarning, "unknown channel account",
        {{"account", account}, {"event_id", message.event_id}, {"trace_id", message.trace_id}});
    return Outcome::DeadLetter("unknown channel account " + account);
  }
  if (stored.duplicate) {
    Log(LogLevel::kInfo, "inbound message stored before, announcing it again",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"message_id", stored.message_id}});
  }
  const OutboundRecord resolved = topics::MessagesResolved::Encode(Resolved(message, stored));
  if (const auto error = producer_.ProduceAndWait({&resolved, 1})) {
    throw RetryableError("producing " + resolved.topic + ": " + error->message);
  }
  return Outcome::Done();
}

}  // namespace switchboard::resolver
