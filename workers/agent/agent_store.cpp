#include "workers/agent/agent_store.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "common/business_facts.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/agent/booking.hpp"
#include "workers/agent/knowledge_search.hpp"

namespace switchboard::agent {

namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

sys_seconds Epoch(const pqxx::field& field) {
  return sys_seconds(seconds(field.as<std::int64_t>()));
}

std::vector<std::string> ParseStringArray(std::string_view json) {
  std::vector<std::string> values;
  const auto document = json::Parse(json);
  if (!document.ok() || !document->IsArray()) return values;
  for (const auto& value : document->GetArray()) {
    if (value.IsString()) values.emplace_back(json::View(value));
  }
  return values;
}

/// The business, the conversation's status, the tenant's messages this UTC month, and the reply
/// stored for this turn before (a redelivery): one statement, one round trip.
void LoadBusinessAndConversation(pqxx::transaction_base& tx, const TurnQuery& query,
                                 TurnContext& context) {
  const auto rows = db::Exec(
      tx,
      "SELECT b.name, b.timezone, coalesce(b.settings->>'personality', ''), "
      "  coalesce(b.settings->>'greeting', ''), coalesce(b.settings->>'fallback_message', ''), "
      "  coalesce(b.settings->>'limit_message', ''), b.opening_hours::text, "
      "  b.monthly_message_limit, c.status, "
      "  coalesce((SELECT messages FROM usage_counters WHERE business_id = $1 "
      "    AND month = date_trunc('month', to_timestamp($3) AT TIME ZONE 'UTC')::date), 0), "
      "  r.id, r.content, coalesce(r.reply_kind, 'ai'), "
      "  coalesce(r.prompt_tokens, 0) + coalesce(r.completion_tokens, 0), "
      "  extract(epoch FROM r.created_at)::bigint "
      "FROM businesses b "
      "LEFT JOIN conversations c ON c.business_id = $1 AND c.id = $2 "
      "LEFT JOIN messages r ON c.id IS NOT NULL AND r.business_id = $1 AND r.event_id = $4 "
      "WHERE b.id = $1",
      query.business_id, query.conversation_id, query.now.time_since_epoch().count(),
      query.reply_event_id);
  if (rows.empty()) throw MissingTurnData("unknown business " + query.business_id);
  const auto& row = rows[0];
  if (row[8].is_null()) throw MissingTurnData("unknown conversation " + query.conversation_id);
  BusinessInfo& business = context.business;
  business.id = query.business_id;
  business.name = row[0].as<std::string>();
  business.timezone = row[1].as<std::string>();
  business.personality = row[2].as<std::string>();
  business.greeting = row[3].as<std::string>();
  business.fallback_message = row[4].as<std::string>();
  business.limit_message = row[5].as<std::string>();
  auto hours = ParseOpeningHours(row[6].as<std::string>());
  if (hours.ok()) {
    business.hours = *hours;
  } else {
    // The turn is still answered; the prompt shows the business as closed every day.
    Log(LogLevel::kWarning, "malformed opening hours",
        {{"business_id", query.business_id}, {"error", hours.error().message}});
  }
  if (!row[7].is_null()) business.monthly_message_limit = row[7].as<std::int64_t>();
  context.conversation_status = row[8].as<std::string>();
  context.messages_this_month = row[9].as<std::int64_t>();
  if (!row[10].is_null()) {
    context.existing_reply =
        StoredReply{row[10].as<std::string>(), row[11].as<std::string>(), row[12].as<std::string>(),
                    row[13].as<std::int64_t>(), Epoch(row[14])};
  }
}

void LoadCustomer(pqxx::transaction_base& tx, const TurnQuery& query, TurnContext& context) {
  const auto rows =
      db::Exec(tx,
               "SELECT coalesce(name, ''), coalesce(phone, ''), coalesce(email, ''), "
               "array_to_json(tags)::text FROM customers WHERE business_id = $1 AND id = $2",
               query.business_id, query.customer_id);
  if (rows.empty()) throw MissingTurnData("unknown customer " + query.customer_id);
  CustomerInfo& customer = context.customer;
  customer.id = query.customer_id;
  customer.name = rows[0][0].as<std::string>();
  customer.phone = rows[0][1].as<std::string>();
  customer.email = rows[0][2].as<std::string>();
  customer.tags = ParseStringArray(rows[0][3].as<std::string>());

  customer.upcoming = UpcomingAppointments(tx, query.business_id, query.customer_id, query.now);
}

void LoadHistory(pqxx::transaction_base& tx, const TurnQuery& query, TurnContext& context) {
  // Messages up to the turn's own (not the ones after it, when a record is replayed late); what a
  // person replied through the admin API (role human) is the business's side too. The
  // newest of each of the customer's conversations through messages_conversation_idx: a plan
  // that scans the tenant's messages looks cheap to a new tenant's stale statistics, and grows
  // with every message.
  const auto rows = db::Exec(
      tx,
      "SELECT CASE m.role WHEN 'human' THEN 'assistant' ELSE m.role END, m.content, m.channel, "
      "extract(epoch FROM m.created_at)::bigint "
      "FROM conversations c CROSS JOIN LATERAL ("
      "  SELECT id, role, content, channel, created_at FROM messages "
      "  WHERE conversation_id = c.id AND business_id = $1 "
      "    AND role IN ('user', 'assistant', 'human') "
      "    AND content <> '' AND id <> $3 "
      "    AND created_at <= coalesce((SELECT created_at FROM messages "
      "                                WHERE business_id = $1 AND id = $3), now()) "
      "  ORDER BY created_at DESC, id DESC LIMIT $4) m "
      "WHERE c.business_id = $1 AND c.customer_id = $2 "
      "ORDER BY m.created_at DESC, m.id DESC LIMIT $4",
      query.business_id, query.customer_id, query.message_id, query.history_limit);
  for (const auto& row : rows) {
    context.history.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                               row[2].as<std::string>(), Epoch(row[3])});
  }
  std::reverse(context.history.begin(), context.history.end());
}

void LoadPassages(pqxx::transaction_base& tx, const TurnQuery& query, TurnContext& context) {
  const auto passages = SearchKnowledge(
      tx, {query.business_id, query.text, static_cast<std::size_t>(query.passage_limit),
           query.embedding, query.embedding_model});
  context.retrieval_answer = ConfidentAnswer(passages, query.retrieval_rule);
  for (const auto& passage : passages) {
    context.passages.push_back({passage.chunk_id, passage.item_id, passage.title, passage.heading,
                                passage.content, passage.score});
  }
}

}  // namespace

TurnContext AgentStore::LoadTurnContext(const TurnQuery& turn) {
  TurnContext context;
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, turn.business_id, db::TenantWork::Access::kReadOnly);
  LoadBusinessAndConversation(tx, turn, context);
  if (context.existing_reply) return context;  // a redelivery re-emits; nothing else needed
  context.business.services = LoadActiveServices(tx, turn.business_id);
  LoadCustomer(tx, turn, context);
  LoadHistory(tx, turn, context);
  LoadPassages(tx, turn, context);
  return context;
}

StoredReply AgentStore::StoreReply(const TurnQuery& turn, std::string_view channel,
                                   const TurnReply& reply, std::int64_t latency_ms) {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, turn.business_id);
  auto rows = db::Exec(
      tx,
      "INSERT INTO messages (business_id, conversation_id, role, content, tool_calls, sources, "
      "  prompt_tokens, completion_tokens, latency_ms, channel, status, event_id, reply_kind) "
      "VALUES ($1, $2, 'assistant', $3, NULLIF($4, '')::jsonb, NULLIF($5, '')::jsonb, $6, $7, $8, "
      "  $9, 'pending', $10, $11) "
      "ON CONFLICT (business_id, event_id) DO NOTHING "
      "RETURNING id, extract(epoch FROM created_at)::bigint",
      turn.business_id, turn.conversation_id, reply.text, reply.tool_calls_json, reply.sources_json,
      reply.prompt_tokens, reply.completion_tokens, latency_ms, std::string(channel),
      turn.reply_event_id, reply.kind);
  if (rows.empty()) {
    // Stored by a concurrent attempt: send what it stored, so every copy carries the same text.
    rows = db::Exec(
        tx,
        "SELECT id, extract(epoch FROM created_at)::bigint, content, coalesce(reply_kind, 'ai'), "
        "coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0) FROM messages "
        "WHERE business_id = $1 AND event_id = $2",
        turn.business_id, turn.reply_event_id);
    tx.commit();
    return {rows.at(0)[0].as<std::string>(), rows.at(0)[2].as<std::string>(),
            rows.at(0)[3].as<std::string>(), rows.at(0)[4].as<std::int64_t>(),
            sys_seconds(std::chrono::seconds(rows.at(0)[1].as<std::int64_t>()))};
  }
  if (reply.needs_human) {
    db::Exec(tx, "UPDATE conversations SET needs_human = true WHERE business_id = $1 AND id = $2",
             turn.business_id, turn.conversation_id);
  }
  tx.commit();
  return {rows[0][0].as<std::string>(), reply.text, reply.kind,
          static_cast<std::int64_t>(reply.prompt_tokens) + reply.completion_tokens,
          sys_seconds(std::chrono::seconds(rows[0][1].as<std::int64_t>()))};
}

}  // namespace switchboard::agent
