#include "workers/resolver/resolver_store.hpp"

#include <optional>
#include <pqxx/pqxx>

#include "common/customer_identity.hpp"
#include "common/prepared.hpp"
#include "common/stage_runtime.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::resolver {
namespace {

std::string Field(const pqxx::row& row, const char* column) {
  return row[column].as<std::string>();
}

/// One row's first column, when there is a row.
std::optional<std::string> FirstValue(const pqxx::result& result) {
  if (result.empty()) return std::nullopt;
  return result[0][0].as<std::string>();
}

/// The customer a channel identity belongs to, and which of its details are still unknown.
struct KnownCustomer {
  std::string id;
  bool name_missing = false;
  bool phone_missing = false;
};

/// What is known before anything is written: the inbound message stored before under the dedupe
/// key of `message` (its platform message id, or, for the events that have none such as
/// reactions and postbacks, the inbound event id), and the customer of its sender's channel
/// identity.
struct Known {
  std::optional<StoredInbound> stored;
  std::optional<KnownCustomer> customer;
};

/// The text of Lookup with the stored message matched by `dedupe_key`.
std::string LookupSql(std::string_view dedupe_key) {
  return "SELECT stored.id, stored.conversation_id, stored.customer_id, "
         "  i.customer_id AS identity_customer_id, NULLIF(k.name, '') IS NULL AS name_missing, "
         "  k.phone IS NULL AS phone_missing "
         "FROM (VALUES (1)) AS one "
         "LEFT JOIN (SELECT m.id, m.conversation_id, c.customer_id FROM messages AS m "
         "  JOIN conversations AS c ON c.business_id = m.business_id AND c.id = m.conversation_id "
         "  WHERE m.business_id = $1 AND " +
         std::string(dedupe_key) +
         ") AS stored ON true "
         "LEFT JOIN customer_identities AS i "
         "  ON i.business_id = $1 AND i.channel = $2 AND i.external_id = $3 "
         "LEFT JOIN customers AS k ON k.business_id = $1 AND k.id = i.customer_id";
}

/// One statement, one round trip: the stored message (always at most one row: both dedupe keys
/// are unique) beside the sender's identity.
Known Lookup(pqxx::transaction_base& tx, const std::string& business_id,
             const InboundMessage& message) {
  static const std::string kByEventId = LookupSql("m.event_id = $4");
  static const std::string kByPlatformId =
      LookupSql("m.channel = $2 AND m.platform_message_id = $4");
  const std::string platform_message_id = message.platform_message_id.value_or("");
  const bool by_event_id = platform_message_id.empty();
  const pqxx::result rows =
      db::Exec(tx, by_event_id ? kByEventId : kByPlatformId, business_id, message.channel,
               message.sender_id, by_event_id ? message.event_id : platform_message_id);
  const pqxx::row row = rows.at(0);
  Known known;
  if (!row["id"].is_null()) {
    known.stored = StoredInbound{.business_id = business_id,
                                 .customer_id = Field(row, "customer_id"),
                                 .conversation_id = Field(row, "conversation_id"),
                                 .message_id = Field(row, "id"),
                                 .duplicate = true};
  }
  if (!row["identity_customer_id"].is_null()) {
    known.customer = KnownCustomer{.id = Field(row, "identity_customer_id"),
                                   .name_missing = row["name_missing"].as<bool>(),
                                   .phone_missing = row["phone_missing"].as<bool>()};
  }
  return known;
}

/// The customer who sent `message`: `known` (found by its channel identity), else found by its
/// phone number, or created (customers::FindOrCreateCustomer); its name and phone are filled in
/// when unknown and the platform gives them.
std::string ResolveCustomer(pqxx::transaction_base& tx, const std::string& business_id,
                            const InboundMessage& message,
                            const std::optional<KnownCustomer>& known) {
  std::string name = message.sender_name.value_or("");
  std::string phone = customers::PhoneDigits(message.sender_phone);
  if (!known) {
    return customers::FindOrCreateCustomer(
        tx, business_id,
        {.phone_digits = std::move(phone),
         .name = std::move(name),
         .identity = customers::ChannelIdentity{message.channel, message.sender_id},
         .event_id = message.event_id,
         .trace_id = message.trace_id});
  }
  // Details are only ever filled in, never cleared, so a known customer whose name and phone
  // were present when looked up needs no UPDATE (the usual case: one round trip less).
  if (!known->name_missing) name.clear();
  if (!known->phone_missing) phone.clear();
  customers::FillCustomerDetails(tx, business_id, known->id, name, phone);
  return known->id;
}

/// The open conversation (ACTIVE or HANDED_OFF) of the customer on the message's channel, or a
/// new ACTIVE one, and the inbound message stored in it; the conversation's id, and the message's
/// unless it was stored already. The conversation's last_inbound_at (the start of the platform's
/// 24-hour reply window) moves forward to the message's time, and its channel_account_id is the
/// account the newest message was written to (where a person's reply goes). One statement: a
/// concurrent opener meets the conversations_open_uq conflict and updates the same row. The
/// message insert has no conflict target: the platform message id (business, channel,
/// platform_message_id) and, for messages without one, the event id (business, event_id) are both
/// dedupe keys.
struct Opened {
  std::string conversation_id;
  std::optional<std::string> message_id;
};

Opened OpenConversationWithMessage(pqxx::transaction_base& tx, const std::string& business_id,
                                   const std::string& customer_id, const InboundMessage& message) {
  const std::string& inbound_at = message.sent_at.empty() ? message.received_at : message.sent_at;
  const pqxx::row row = db::Exec1(
      tx,
      "WITH conversation AS ("
      "  INSERT INTO conversations (business_id, customer_id, channel, last_inbound_at, "
      "                             channel_account_id) "
      "  VALUES ($1, $2, $3, $4::timestamptz, $8) "
      "  ON CONFLICT (business_id, customer_id, channel) WHERE status <> 'CLOSED' DO UPDATE "
      "  SET last_inbound_at = GREATEST(conversations.last_inbound_at, "
      "                                 EXCLUDED.last_inbound_at), "
      "      channel_account_id = CASE WHEN conversations.last_inbound_at IS NULL "
      "        OR EXCLUDED.last_inbound_at >= conversations.last_inbound_at "
      "        THEN EXCLUDED.channel_account_id ELSE conversations.channel_account_id END "
      "  RETURNING id), "
      "stored AS ("
      "  INSERT INTO messages (business_id, conversation_id, role, content, "
      "                        platform_message_id, channel, status, event_id) "
      "  SELECT $1, conversation.id, 'user', $5, NULLIF($6, ''), $3, 'received', $7 "
      "  FROM conversation "
      "  ON CONFLICT DO NOTHING RETURNING id) "
      "SELECT conversation.id, stored.id FROM conversation LEFT JOIN stored ON true",
      business_id, customer_id, message.channel, inbound_at, message.text.value_or(""),
      message.platform_message_id.value_or(""), message.event_id, message.channel_account_id);
  Opened opened{.conversation_id = row[0].as<std::string>()};
  if (!row[1].is_null()) opened.message_id = row[1].as<std::string>();
  return opened;
}

}  // namespace

StoredInbound ResolverStore::Store(const InboundMessage& message) {
  auto lease = pool_.Acquire();
  // resolve_integration runs as its owner (SECURITY DEFINER), so it answers before the tenant
  // is known, in a statement of its own; every tenant table is touched only in the TenantWork.
  std::optional<std::string> business_id;
  {
    pqxx::nontransaction lookup(*lease);
    business_id = FirstValue(db::Exec(lookup, "SELECT business_id FROM resolve_integration($1, $2)",
                                      message.channel, message.channel_account_id));
  }
  if (!business_id) return {};
  db::TenantWork tx(*lease, *business_id);
  // Looked up before anything is written: a redelivered message must not reopen or touch the
  // conversation, only be announced again.
  Known known = Lookup(tx, *business_id, message);
  if (known.stored) return *known.stored;

  StoredInbound stored{.business_id = *business_id};
  stored.customer_id = ResolveCustomer(tx, *business_id, message, known.customer);
  Opened opened = OpenConversationWithMessage(tx, *business_id, stored.customer_id, message);
  if (opened.message_id) {
    stored.conversation_id = std::move(opened.conversation_id);
    stored.message_id = std::move(*opened.message_id);
  } else {
    // A concurrent delivery of the same message committed first (ON CONFLICT waited for it);
    // this statement's new snapshot sees its row.
    auto existing = Lookup(tx, *business_id, message).stored;
    if (!existing) throw RetryableError("inbound message conflicted but is not visible");
    stored = std::move(*existing);
  }
  tx.commit();
  return stored;
}

}  // namespace switchboard::resolver
