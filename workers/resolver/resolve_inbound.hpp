#pragma once

#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/stage_runtime.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace switchboard {
class KafkaProducer;
}

namespace switchboard::resolver {

/// A messages.inbound/1 record (schemas/messages.inbound.schema.json), the fields the resolver
/// uses. Optional fields the platform did not send are empty.
struct InboundMessage {
  std::string event_id;
  std::string channel;  ///< whatsapp, instagram or messenger
  std::string channel_account_id;
  std::string sender_id;
  std::string sender_name;
  std::string sender_phone;  ///< "+<digits>" (WhatsApp)
  std::string platform_message_id;
  std::string sent_at;
  std::string received_at;
  std::string type;
  std::string text;
  bool standby = false;
  std::string trace_id;
};

/// The InboundMessage in a messages.inbound value; a non-retryable Error naming the field when
/// the value is not a messages.inbound/1 object or a required field (event_id, channel,
/// channel_account_id, sender_id, received_at, type) is missing, empty or of the wrong type.
/// trace_id falls back to `trace_header`.
Result<InboundMessage> ParseInbound(std::string_view value, std::string_view trace_header);

/// The rows an inbound message was stored as (all UUIDs of the tenant `business_id`).
struct StoredInbound {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;
  bool duplicate = false;  ///< the message was stored by an earlier delivery
};

/// The messages.resolved/1 record announcing `message` stored as `stored`: keyed
/// <channel>:<channel_account_id>:<sender_id>, event id EventIdFor({"messages.resolved",
/// message_id}) (so a re-emitted duplicate carries the same id), headers event-id, schema,
/// tenant and trace-id.
OutboundRecord ResolvedRecord(const InboundMessage& message, const StoredInbound& stored);

/// The messages.inbound handler: maps the channel account to its tenant (resolve_integration),
/// then in one tenant-scoped transaction finds or creates the customer (its channel identity; a
/// WhatsApp sender's phone number also meets the customer a call or another channel created),
/// reuses the open conversation of that customer and channel (ACTIVE or HANDED_OFF) or opens
/// one, moves its last_inbound_at forward and stores the message (role user, status received).
/// A message stored before (same platform message id, or same event id when the platform gave
/// none) stores nothing new but is announced again. After the commit it produces
/// messages.resolved and waits for the broker.
/// Outcomes: Done; DeadLetter for a malformed record, an unknown channel account (counted in
/// switchboard_resolver_unknown_accounts_total) or data the database refuses. Database and
/// broker failures throw (RetryableError or pqxx's), so the runtime retries the record.
class InboundResolver final {
 public:
  /// Uses `pool` (the application role) and `producer`, which must outlive the resolver; adds its
  /// metric to `registry`.
  InboundResolver(db::ConnectionPool& pool, KafkaProducer& producer,
                  prometheus::Registry& registry);

  /// Handles one messages.inbound record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  /// Stores `message` (see the class comment); empty business_id: the account is unknown.
  StoredInbound Store(const InboundMessage& message);

  db::ConnectionPool& pool_;
  KafkaProducer& producer_;
  prometheus::Family<prometheus::Counter>& unknown_accounts_;
};

}  // namespace switchboard::resolver
