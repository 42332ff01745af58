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

namespace switchboard {
class KafkaProducer;
}

namespace switchboard::agent {

/// The agent's tuning; ReadAgentSettings (workers/agent/agent_config.hpp) reads it.
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
  explicit TurnHandler(AgentDependencies deps) : deps_(std::move(deps)) {}

  /// Handles one messages.resolved record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  TurnReply Decide(const ResolvedMessage& message, const TurnContext& context,
                   std::chrono::sys_seconds now) const;
  TurnReply AnswerWithLlm(const ResolvedMessage& message, const TurnContext& context,
                          std::chrono::sys_seconds now) const;
  void Emit(const ResolvedMessage& message, const StoredReply& reply) const;

  AgentDependencies deps_;
};

}  // namespace switchboard::agent
