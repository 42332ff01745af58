#include "workers/usage/usage_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::usage {

bool UsageStore::Record(const topics::UsageEvent& event) {
  auto lease = pool_.Acquire();
  db::TenantWork tx(*lease, event.business_id);
  // One statement: the counter upsert reads only the row the event insert took, so an event
  // recorded before adds nothing. The month is the UTC one whatever the session's time zone.
  const pqxx::result counted = db::Exec(
      tx,
      "WITH recorded AS ("
      "  INSERT INTO usage_events (business_id, event_id, kind, messages, llm_tokens, "
      "                            voice_seconds, occurred_at) "
      "  VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) "
      "  ON CONFLICT (business_id, event_id) DO NOTHING "
      "  RETURNING business_id, occurred_at, messages, llm_tokens, voice_seconds) "
      "INSERT INTO usage_counters (business_id, month, messages, llm_tokens, voice_seconds) "
      "SELECT business_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date, messages, "
      "       llm_tokens, voice_seconds FROM recorded "
      "ON CONFLICT (business_id, month) DO UPDATE "
      "SET messages = usage_counters.messages + EXCLUDED.messages, "
      "    llm_tokens = usage_counters.llm_tokens + EXCLUDED.llm_tokens, "
      "    voice_seconds = usage_counters.voice_seconds + EXCLUDED.voice_seconds, "
      "    updated_at = now() "
      "RETURNING 1",
      event.business_id, event.event_id, event.kind, event.messages, event.llm_tokens,
      event.voice_seconds, event.occurred_at);
  tx.commit();
  return !counted.empty();
}

}  // namespace switchboard::usage
