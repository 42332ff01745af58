#pragma once

#include <string>

#include "common/db_pool.hpp"
#include "common/topics/messages_inbound.hpp"

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

/// The resolver's SQL. Store() maps the channel account to its tenant (resolve_integration),
/// then in one tenant-scoped transaction finds or creates the customer (its channel identity; a
/// WhatsApp sender's phone number also meets the customer a call or another channel created),
/// reuses the open conversation of that customer and channel (ACTIVE or HANDED_OFF) or opens
/// one, moves its last_inbound_at forward and stores the message (role user, status received).
/// A message stored before (same platform message id, or same event id when the platform gave
/// none) stores nothing new and comes back with `duplicate` set.
class ResolverStore final {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit ResolverStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Stores `message` (see the class comment); an empty business_id: the account is unknown.
  /// Throws pqxx errors (data_exception for a value the database refuses) and RetryableError.
  StoredInbound Store(const InboundMessage& message);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::resolver
