#pragma once

#include <optional>

#include "common/config.hpp"
#include "common/db_pool.hpp"
#include "common/embeddings_client.hpp"
#include "workers/agent/answer_turn.hpp"
#include "workers/agent/llm_client.hpp"

namespace switchboard::agent {

/// The agent's own configuration, besides every stage's (common/stage_main.hpp).
struct AgentConfig {
  db::DatabaseOptions database;
  /// nullopt when LLM_BASE_URL is unset: the agent answers from the knowledge base only.
  std::optional<LlmOptions> llm;
  AgentSettings settings;
  /// nullopt when EMBEDDINGS_BASE_URL is unset: the knowledge search uses full text alone.
  std::optional<EmbeddingsOptions> embeddings;
};

/// LLM_BASE_URL (unset: nullopt; else an http(s) URL), LLM_API_KEY (empty; secret), LLM_MODEL
/// (gpt-4o-mini), LLM_TIMEOUT_MS (30000), LLM_MAX_TOKENS (512), LLM_TEMPERATURE (0.3),
/// LLM_MAX_RETRIES (2), LLM_RETRY_BASE_MS (500) and
/// LLM_RETRY_MAX_MS (8000), read through `env` whether the LLM is on or not (so that a bad value
/// is found before it is needed); problems are collected in it.
std::optional<LlmOptions> ReadLlmOptions(EnvReader& env);

/// RETRIEVAL_MIN_COVERAGE (0.4), RETRIEVAL_MIN_MARGIN (0.15), AGENT_MAX_TOOL_STEPS (5),
/// AGENT_HISTORY_MESSAGES (12), AGENT_KNOWLEDGE_PASSAGES (4), AGENT_MAX_REPLY_CHARS (1600) and
/// RETRIEVAL_EXCERPT_BYTES (600), read through `env`.
AgentSettings ReadAgentSettings(EnvReader& env);

/// The database, the LLM, the agent's tuning and the embeddings endpoint, read through `env`.
AgentConfig ReadAgentConfig(EnvReader& env);

}  // namespace switchboard::agent
