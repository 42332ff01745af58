#pragma once

#include <cstdint>
#include <string_view>

#include "common/db_pool.hpp"
#include "workers/agent/context.hpp"

namespace switchboard::agent {

/// The agent stage's SQL: what a turn is answered with, and the stored answer. Each call is one
/// db::TenantWork scoped to the turn's business (row-level security and explicit WHERE clauses);
/// database failures propagate as pqxx errors (the stage retries the record).
class AgentStore final {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit AgentStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Loads the business, the conversation's status, the month's usage and an already stored
  /// reply; unless there is one, also the active services, the customer with upcoming
  /// appointments, the last messages of the customer across channels and the best knowledge
  /// chunks (SearchKnowledge, with the passage retrieval-only mode may answer with), in one
  /// read-only transaction. Throws MissingTurnData when the business, customer or conversation does
  /// not exist.
  TurnContext LoadTurnContext(const TurnQuery& turn);

  /// Stores `reply` as the assistant message answering `turn` on `channel` (ON CONFLICT DO
  /// NOTHING on turn.reply_event_id) and flags the conversation when the reply needs a person;
  /// returns the stored row, the earlier one when a concurrent attempt stored it first.
  StoredReply StoreReply(const TurnQuery& turn, std::string_view channel, const TurnReply& reply,
                         std::int64_t latency_ms);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::agent
