#pragma once

#include <string>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "common/topics/messages_inbound.hpp"

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

/// A customer message to resolve (topics::MessagesInbound's value).
using topics::InboundMessage;

/// The rows an inbound message was stored as (all UUIDs of the tenant `business_id`).
struct StoredInbound {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;
  bool duplicate = false;  ///< the message was stored by an earlier delivery
};

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
