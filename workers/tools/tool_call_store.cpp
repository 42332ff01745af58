#include "workers/tools/tool_call_store.hpp"

#include <pqxx/pqxx>

#include "common/customer_identity.hpp"
#include "common/json.hpp"
#include "common/prepared.hpp"
#include "common/stage_runtime.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::tools {

namespace {

constexpr char kStoredAnswer[] =
    "SELECT answer, failed, to_char(completed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM voice_tool_calls "
    "WHERE business_id = $1::uuid AND call_id = $2 AND tool_call_id = $3";

std::optional<StoredAnswer> StoredAnswerIn(pqxx::transaction_base& tx,
                                           const topics::ToolCallRequest& request) {
  const pqxx::result rows =
      db::Exec(tx, kStoredAnswer, request.business_id, request.call_id, request.tool_call_id);
  if (rows.empty()) return std::nullopt;
  return StoredAnswer{
      .answer = {.text = rows[0][0].as<std::string>(), .failed = rows[0][1].as<bool>()},
      .completed_at = rows[0][2].as<std::string>()};
}

}  // namespace

PreparedCall ToolCallStore::Prepare(const topics::ToolCallRequest& request) {
  auto lease = pool_.Acquire();
  db::TenantWork tx(*lease, request.business_id);
  PreparedCall prepared;
  prepared.answered = StoredAnswerIn(tx, request);
  if (!prepared.answered) {
    prepared.customer_id = customers::CustomerByPhone(tx, request.business_id, request.caller);
  }
  tx.commit();
  return prepared;
}

void ToolCallStore::OpenCallConversation(const topics::ToolCallRequest& request,
                                         const std::string& customer_id,
                                         const std::string& conversation_id) {
  json::Writer metadata;
  metadata.StartObject()
      .Field("call_id", request.call_id)
      .NonEmptyField("caller", request.caller)
      .EndObject();
  auto lease = pool_.Acquire();
  db::TenantWork tx(*lease, request.business_id);
  // ON CONFLICT without a target also yields to conversations_open_uq: one open conversation
  // per customer and channel.
  db::Exec(tx,
           "INSERT INTO conversations (id, business_id, customer_id, channel, status, metadata) "
           "VALUES ($1::uuid, $2::uuid, $3::uuid, 'voice', 'ACTIVE', $4::jsonb) "
           "ON CONFLICT DO NOTHING",
           conversation_id, request.business_id, customer_id, metadata.Take());
  tx.commit();
}

StoredAnswer ToolCallStore::Save(const topics::ToolCallRequest& request,
                                 const std::optional<std::string>& customer_id,
                                 const SpokenAnswer& answer, const std::string& completed_at) {
  auto lease = pool_.Acquire();
  db::TenantWork tx(*lease, request.business_id);
  const pqxx::result inserted = db::Exec(
      tx,
      "INSERT INTO voice_tool_calls (business_id, call_id, tool_call_id, tool, customer_id, "
      "                              answer, failed, completed_at) "
      "VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6, $7, $8::timestamptz) "
      "ON CONFLICT (business_id, call_id, tool_call_id) DO NOTHING RETURNING 1",
      request.business_id, request.call_id, request.tool_call_id, request.tool, customer_id,
      answer.text, answer.failed, completed_at);
  if (!inserted.empty()) {
    tx.commit();
    return {.answer = answer, .completed_at = completed_at};
  }
  // A concurrent delivery stored first (ON CONFLICT waited for it): its answer is the answer.
  std::optional<StoredAnswer> stored = StoredAnswerIn(tx, request);
  tx.commit();
  if (!stored) throw RetryableError("voice_tool_calls: the stored answer is not visible");
  return *std::move(stored);
}

}  // namespace switchboard::tools
