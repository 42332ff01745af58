#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/stage_runtime.hpp"
#include "workers/agent/context.hpp"
#include "workers/agent/llm_client.hpp"

namespace switchboard {
class KafkaProducer;
}

namespace switchboard::agent {

/// The fields of a messages.resolved/1 record the agent uses.
struct ResolvedMessage {
  std::string event_id;
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;
  std::string channel;
  std::string channel_account_id;
  std::string sender_id;
  std::string platform_message_id;
  std::string type;
  std::string text;
  std::string trace_id;
  /// Another app owns the thread (Messenger handover): the agent must not answer.
  bool standby = false;
};

/// The messages.resolved value `json`; a non-retryable Error naming the missing or mistyped
/// field when it is not one.
Result<ResolvedMessage> ParseResolvedMessage(std::string_view json);

/// What the agent answers one turn with, before it is stored.
struct TurnReply {
  std::string text;
  /// "ai", "retrieval", "fallback" or "limit".
  std::string kind;
  /// [{name, arguments, ok, handed_off, result}] as JSON text; "" when no tool ran.
  std::string tool_calls_json;
  /// [{chunk_id, item_id, title, rank}] of the passages the answer was grounded in; "" for none.
  std::string sources_json;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  /// The conversation needs a person (fallback replies).
  bool needs_human = false;
};

/// The agent's tuning. FromEnvironment() reads RETRIEVAL_MIN_RANK (0.2), AGENT_MAX_TOOL_STEPS (5),
/// AGENT_HISTORY_MESSAGES (12), AGENT_KNOWLEDGE_PASSAGES (4), RETRIEVAL_EXCERPT_BYTES (600).
struct AgentSettings {
  /// Retrieval-only mode answers with the best passage when its ts_rank_cd (normalization 0,
  /// against the question's words joined with OR) reaches this. One question word found once in
  /// a chunk scores 0.1, which is also what an incidental word ("salon") scores; 0.2 needs the
  /// word twice or two question words close together, i.e. a chunk that is about the question.
  /// Anything weaker gets the fallback message and a person.
  double retrieval_min_rank = 0.2;
  /// Tool calls run per turn; after that the model is asked once more without tools.
  int max_tool_steps = 5;
  int history_limit = 12;
  int passage_limit = 4;
  std::size_t retrieval_excerpt_bytes = 600;

  /// Throws ConfigError naming a variable that is invalid.
  static AgentSettings FromEnvironment();
};

/// What AnswerTurn works with. `llm` null means retrieval-only mode.
struct AgentDependencies {
  db::ConnectionPool& pool;
  KafkaProducer& producer;
  const LlmClient* llm = nullptr;
  AgentSettings settings;
  /// The clock ("today", the usage month); injected for tests.
  std::function<std::chrono::sys_seconds()> now;
};

/// The replies.outbound and usage.events records of a stored reply to `message`: reply event id
/// EventIdFor({"replies.outbound", message_id}), usage event id
/// EventIdFor({"usage.events", "reply", message_id}) with messages 1 and `llm_tokens`.
std::vector<OutboundRecord> ReplyRecords(const ResolvedMessage& message, const StoredReply& reply);

/// Answers one messages.resolved record: ignores standby messages and reactions; re-emits a reply
/// stored before; does nothing for a handed-off conversation; answers with the limit message when
/// the month's limit is reached, from the knowledge base without an LLM, or with the LLM and tools,
/// falling back to the business's fallback message (and needs_human) when the LLM keeps failing.
/// Stores the assistant message, then produces replies.outbound and usage.events. Never holds a
/// database connection while the LLM is called. DeadLetter for a malformed record or unknown
/// tenant rows; throws RetryableError when producing fails; database errors propagate.
Outcome AnswerTurn(const AgentDependencies& deps, const ConsumedRecord& record);

}  // namespace switchboard::agent
