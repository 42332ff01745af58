#include "workers/admin/conversation_store.hpp"

#include <pqxx/pqxx>

#include "common/hmac.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/admin/sql_time.hpp"

namespace switchboard::admin {

namespace {

// $1 business, $2 status, $3 channel, $4 needs_human, $5 since, $6/$7 the cursor's position,
// $8 limit, $9 one conversation's id.
constexpr char kSelectConversations[] =
    "SELECT c.id::text, c.channel, c.status, c.needs_human, c.customer_id::text, cu.name, "
    "cu.phone, " SWITCHBOARD_ISO_UTC("lm.at") ", " SWITCHBOARD_ISO_UTC("c.opened_at") ", "
    "(extract(epoch FROM c.opened_at) * 1000000)::bigint::text || '_' || c.id::text "
    "FROM conversations c "
    "JOIN customers cu ON cu.business_id = c.business_id AND cu.id = c.customer_id "
    "LEFT JOIN LATERAL (SELECT max(m.created_at) AS at FROM messages m "
    "  WHERE m.business_id = c.business_id AND m.conversation_id = c.id) lm ON true "
    "WHERE c.business_id = $1 AND ($2::text IS NULL OR c.status = $2) "
    "AND ($3::text IS NULL OR c.channel = $3) AND ($4::boolean IS NULL OR c.needs_human = $4) "
    "AND ($5::timestamptz IS NULL OR lm.at >= $5::timestamptz) "
    "AND ($6::bigint IS NULL OR (c.opened_at, c.id) < "
    "  (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::uuid)) "
    "AND ($9::uuid IS NULL OR c.id = $9::uuid) "
    "ORDER BY c.opened_at DESC, c.id DESC LIMIT $8";

std::optional<std::string> OptionalText(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

ConversationRow ConversationOf(const pqxx::row& row) {
  ConversationRow conversation;
  conversation.id = row[0].as<std::string>();
  conversation.channel = row[1].as<std::string>();
  conversation.status = row[2].as<std::string>();
  conversation.needs_human = row[3].as<bool>();
  conversation.customer_id = row[4].as<std::string>();
  conversation.customer_name = OptionalText(row[5]);
  conversation.customer_phone = OptionalText(row[6]);
  conversation.last_message_at = OptionalText(row[7]);
  conversation.opened_at = row[8].as<std::string>();
  conversation.cursor = row[9].as<std::string>();
  return conversation;
}

std::vector<ConversationRow> SelectConversations(pqxx::transaction_base& tx,
                                                 const std::string& business_id,
                                                 const ConversationFilter& filter,
                                                 const std::optional<std::string>& id) {
  std::optional<std::int64_t> after_micros;
  std::optional<std::string> after_id;
  if (filter.after) {
    const std::size_t split = filter.after->find('_');
    after_micros = std::stoll(filter.after->substr(0, split));
    after_id = filter.after->substr(split + 1);
  }
  std::vector<ConversationRow> rows;
  for (const auto& row :
       db::Exec(tx, kSelectConversations, business_id, filter.status, filter.channel,
                filter.needs_human, filter.since, after_micros, after_id, filter.limit, id)) {
    rows.push_back(ConversationOf(row));
  }
  return rows;
}

}  // namespace

std::vector<ConversationRow> ConversationStore::List(const std::string& business_id,
                                                     const ConversationFilter& filter) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id, db::TenantWork::Access::kReadOnly);
  return SelectConversations(tx, business_id, filter, std::nullopt);
}

std::optional<std::vector<MessageRow>> ConversationStore::Messages(
    const std::string& business_id, const std::string& conversation_id, int limit) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id, db::TenantWork::Access::kReadOnly);
  if (db::Exec(tx, "SELECT 1 FROM conversations WHERE business_id = $1 AND id = $2", business_id,
               conversation_id)
          .empty()) {
    return std::nullopt;
  }
  std::vector<MessageRow> messages;
  for (const auto& row :
       db::Exec(tx,
                "SELECT id::text, role, content, channel, status, " SWITCHBOARD_ISO_UTC(
                    "created_at") " FROM (SELECT * FROM messages WHERE business_id = $1 AND "
                                  "conversation_id = $2 ORDER BY created_at DESC, id DESC "
                                  "LIMIT $3) newest ORDER BY created_at, id",
                business_id, conversation_id, limit)) {
    messages.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                        row[2].as<std::string>(), row[3].as<std::string>(),
                        row[4].as<std::string>(), row[5].as<std::string>()});
  }
  return messages;
}

HumanReply ConversationStore::StoreHumanReply(const std::string& business_id,
                                              const std::string& conversation_id,
                                              const std::string& text) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  // The conversation locked (a concurrent close waits), with where a reply to it goes: the
  // customer's identity on the channel and the account the customer last wrote to while it is
  // active (migration 0016), else the tenant's oldest active account of the channel.
  const auto found = db::Exec(
      tx,
      "SELECT c.channel, c.status, coalesce(c.last_inbound_at > now() - interval '24 hours', "
      "false), c.customer_id::text, "
      "(SELECT ci.external_id FROM customer_identities ci WHERE ci.business_id = c.business_id "
      "  AND ci.customer_id = c.customer_id AND ci.channel = c.channel "
      "  ORDER BY ci.created_at DESC LIMIT 1), "
      "(SELECT i.platform_id FROM integrations i WHERE i.business_id = c.business_id "
      "  AND i.type = c.channel AND i.active "
      "  ORDER BY i.platform_id = c.channel_account_id DESC, i.created_at, i.id LIMIT 1), "
      "(SELECT m.id::text FROM messages m WHERE m.business_id = c.business_id "
      "  AND m.conversation_id = c.id AND m.role = 'user' ORDER BY m.created_at DESC LIMIT 1), "
      "gen_random_uuid()::text "
      "FROM conversations c WHERE c.business_id = $1 AND c.id = $2 FOR UPDATE OF c",
      business_id, conversation_id);
  HumanReply result;
  if (found.empty()) return result;
  const pqxx::row row = found[0];
  const std::string channel = row[0].as<std::string>();
  if (row[1].as<std::string>() == "CLOSED") {
    result.kind = HumanReply::Kind::kClosed;
  } else if (channel == "voice") {
    result.kind = HumanReply::Kind::kVoice;
  } else if (channel == "whatsapp" && !row[2].as<bool>()) {
    result.kind = HumanReply::Kind::kWindowClosed;
  } else if (row[4].is_null() || row[5].is_null() || row[6].is_null()) {
    result.kind = HumanReply::Kind::kNoRoute;
  }
  if (result.kind != HumanReply::Kind::kNoConversation) return result;

  topics::Reply& reply = result.reply;
  reply.message_id = row[7].as<std::string>();
  reply.event_id = topics::RepliesOutbound::HumanReplyEventId(reply.message_id);
  reply.business_id = business_id;
  reply.customer_id = row[3].as<std::string>();
  reply.conversation_id = conversation_id;
  reply.in_reply_to = row[6].is_null() ? "" : row[6].as<std::string>();
  reply.channel = channel;
  reply.channel_account_id = row[5].as<std::string>();
  reply.recipient_id = row[4].as<std::string>();
  reply.text = text;
  reply.kind = "human";
  reply.trace_id = reply.message_id;
  db::Exec(tx,
           "INSERT INTO messages (id, business_id, conversation_id, role, content, channel, "
           "status, event_id, reply_kind) "
           "VALUES ($1, $2, $3, 'human', $4, $5, 'pending', $6, 'human')",
           reply.message_id, business_id, conversation_id, text, channel, reply.event_id);
  db::Exec(tx, "UPDATE conversations SET status = 'HANDED_OFF' WHERE business_id = $1 AND id = $2",
           business_id, conversation_id);
  tx.commit();
  result.kind = HumanReply::Kind::kQueued;
  return result;
}

void ConversationStore::MarkReplyFailed(const std::string& business_id,
                                        const std::string& message_id,
                                        const std::string& error) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  db::Exec(tx,
           "UPDATE messages SET status = 'failed', error = jsonb_build_object('reason', "
           "'not_queued', 'detail', $3::text) WHERE business_id = $1 AND id = $2",
           business_id, message_id, error);
  tx.commit();
}

std::optional<ConversationRow> ConversationStore::Close(const std::string& business_id,
                                                        const std::string& conversation_id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  const auto updated = db::Exec(tx,
                                "UPDATE conversations SET status = 'CLOSED', needs_human = false, "
                                "closed_at = coalesce(closed_at, now()) "
                                "WHERE business_id = $1 AND id = $2",
                                business_id, conversation_id);
  if (updated.affected_rows() == 0) return std::nullopt;
  auto rows = SelectConversations(tx, business_id, ConversationFilter{.limit = 1}, conversation_id);
  tx.commit();
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

}  // namespace switchboard::admin
