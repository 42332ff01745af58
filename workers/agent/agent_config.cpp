#include "workers/agent/agent_config.hpp"

#include "common/http_client.hpp"

namespace switchboard::agent {

using std::chrono::milliseconds;

std::optional<LlmOptions> ReadLlmOptions(EnvReader& env) {
  constexpr milliseconds kTenMinutes{600000};
  LlmOptions options;
  const std::optional<std::string> base_url = env.Optional("LLM_BASE_URL", Secrecy::kPasswordInUrl);
  if (base_url && !ParseUrl(*base_url).ok()) {
    env.Fail("LLM_BASE_URL must be an http(s) URL without user info, got '" +
             MaskSecret(*base_url, Secrecy::kPasswordInUrl) + "'");
  }
  options.base_url = base_url.value_or("");
  options.api_key = env.String("LLM_API_KEY", "", Secrecy::kSecret);
  options.model = env.String("LLM_MODEL", "gpt-4o-mini");
  options.timeout = env.Millis("LLM_TIMEOUT_MS", options.timeout, milliseconds(1), kTenMinutes);
  options.max_tokens =
      static_cast<int>(env.Integer("LLM_MAX_TOKENS", options.max_tokens, 16, 32768));
  options.temperature = env.Number("LLM_TEMPERATURE", options.temperature, 0, 2);
  options.max_retries =
      static_cast<int>(env.Integer("LLM_MAX_RETRIES", options.max_retries, 0, 100));
  options.backoff.base =
      env.Millis("LLM_RETRY_BASE_MS", options.backoff.base, milliseconds(0), kTenMinutes);
  options.backoff.max =
      env.Millis("LLM_RETRY_MAX_MS", options.backoff.max, milliseconds(0), kTenMinutes);
  if (options.backoff.max < options.backoff.base) {
    env.Fail("LLM_RETRY_MAX_MS must not be below LLM_RETRY_BASE_MS");
  }
  if (!base_url) return std::nullopt;
  return options;
}

AgentSettings ReadAgentSettings(EnvReader& env) {
  AgentSettings settings;
  settings.retrieval_rule.min_coverage =
      env.Number("RETRIEVAL_MIN_COVERAGE", settings.retrieval_rule.min_coverage, 0, 1);
  settings.retrieval_rule.min_margin =
      env.Number("RETRIEVAL_MIN_MARGIN", settings.retrieval_rule.min_margin, 0, 10);
  settings.max_tool_steps =
      static_cast<int>(env.Integer("AGENT_MAX_TOOL_STEPS", settings.max_tool_steps, 0, 50));
  settings.history_limit =
      static_cast<int>(env.Integer("AGENT_HISTORY_MESSAGES", settings.history_limit, 0, 1000));
  settings.passage_limit =
      static_cast<int>(env.Integer("AGENT_KNOWLEDGE_PASSAGES", settings.passage_limit, 1, 100));
  settings.max_reply_characters = static_cast<std::size_t>(
      env.Integer("AGENT_MAX_REPLY_CHARS", static_cast<std::int64_t>(settings.max_reply_characters),
                  100, 100000));
  settings.retrieval_excerpt_bytes = static_cast<std::size_t>(
      env.Integer("RETRIEVAL_EXCERPT_BYTES",
                  static_cast<std::int64_t>(settings.retrieval_excerpt_bytes), 40, 65536));
  return settings;
}

AgentConfig ReadAgentConfig(EnvReader& env) {
  AgentConfig config;
  config.database = db::ReadDatabaseOptions(env);
  config.llm = ReadLlmOptions(env);
  config.settings = ReadAgentSettings(env);
  config.embeddings = ReadEmbeddingsOptions(env);
  return config;
}

}  // namespace switchboard::agent
