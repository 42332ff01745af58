#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <utility>

#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "workers/agent/agent_store.hpp"
#include "workers/agent/context.hpp"
#include "workers/agent/llm_client.hpp"
#include "workers/agent/tool_store.hpp"
#include "workers/agent/turn_records.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace switchboard {
class EmbeddingsClient;
class KafkaProducer;
}  // namespace switchboard

namespace switchboard::agent {

/// The agent's tuning; ReadAgentSettings (workers/agent/agent_config.hpp) reads it.
struct AgentSettings {
  /// When retrieval-only mode answers with the best passage (ConfidentAnswer): most of the
  /// question's telling words in it (RETRIEVAL_MIN_COVERAGE) and a clear lead over any passage
  /// of another topic (RETRIEVAL_MIN_MARGIN). Anything weaker gets the fallback message and a
  /// person: a wrong passage is worse than the fallback.
  ConfidenceRule retrieval_rule;
  /// Tool calls run per turn; after that the model is asked once more without tools.
  int max_tool_steps = 5;
  int history_limit = 12;
  int passage_limit = 4;
  std::size_t retrieval_excerpt_bytes = 600;
  /// An LLM answer longer than this (or the channel's message limit, when that is smaller), in
  /// characters, is not sent (CheckAnswer).
  std::size_t max_reply_characters = 1600;
};

/// What TurnHandler works with; each referenced object must outlive the handler.
struct AgentDependencies {
  AgentStore& store;
  /// Where the tools the model calls read and write.
  ToolStore& tools;
  KafkaProducer& producer;
  /// nullptr: retrieval-only mode (answers from the knowledge base without a model).
  const LlmClient* llm = nullptr;
  AgentSettings settings;
  /// The clock ("today", the usage month); injected for tests.
  std::function<std::chrono::sys_seconds()> now;
  /// nullptr: the knowledge search uses full text alone; else the question is embedded first
  /// (no connection held meanwhile) and the vector ranking is fused with the full-text one.
  const EmbeddingsClient* embeddings = nullptr;
};

/// The messages.resolved handler: answers one customer turn.
///   decode  the record (turn_records.hpp); a standby message or a reaction is not answered;
///   load    the turn's context (AgentStore::LoadTurnContext); a reply stored before is
///           re-emitted as it was, a handed-off conversation gets no AI reply;
///   decide  the limit message when the month's limit is reached, else the best knowledge
///           passage without an LLM, else the LLM with tools (send_to_human's customer notice
///           ends the turn), the business's fallback message (and needs_human) when it fails;
///   persist the assistant message (AgentStore::StoreReply);
///   emit    replies.outbound and usage.events, after the reply is stored.
/// Never holds a database connection while the LLM is called. Outcomes: Done; DeadLetter for a
/// malformed record or unknown business, customer or conversation. Throws RetryableError when
/// producing fails; database errors propagate (the runtime retries).
class TurnHandler final {
 public:
  /// Adds switchboard_agent_answers_refused_total{reason} (LLM answers the guard kept from the
  /// customer: empty, leaked_tool_call, too_long) to `registry`, which must outlive the handler.
  TurnHandler(AgentDependencies deps, prometheus::Registry& registry);

  /// Handles one messages.resolved record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  TurnReply Decide(const ResolvedMessage& message, const TurnContext& context,
                   std::chrono::sys_seconds now) const;
  TurnReply AnswerWithLlm(const ResolvedMessage& message, const TurnContext& context,
                          std::chrono::sys_seconds now) const;
  void Emit(const ResolvedMessage& message, const StoredReply& reply) const;

  AgentDependencies deps_;
  prometheus::Family<prometheus::Counter>& refused_answers_;
};

}  // namespace switchboard::agent
