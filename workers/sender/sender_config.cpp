#include "workers/sender/sender_config.hpp"

#include "common/http_client.hpp"
#include "common/token_cipher.hpp"

namespace switchboard::sender {

GraphConfig ReadGraphConfig(EnvReader& env) {
  using std::chrono::milliseconds;
  GraphConfig graph;
  // A URL with user info is refused, but shown masked all the same should one be set.
  graph.base_url = env.String("GRAPH_BASE_URL", graph.base_url, Secrecy::kPasswordInUrl);
  while (!graph.base_url.empty() && graph.base_url.back() == '/') {
    graph.base_url.pop_back();
  }
  if (!ParseUrl(graph.base_url).ok()) {
    env.Fail("GRAPH_BASE_URL must be an http(s) URL without user info, got '" +
             MaskSecret(graph.base_url, Secrecy::kPasswordInUrl) + "'");
  }
  graph.version = env.String("GRAPH_VERSION", graph.version);
  graph.timeout =
      env.Millis("GRAPH_TIMEOUT_MS", graph.timeout, milliseconds(1), milliseconds(600000));
  return graph;
}

SenderConfig ReadSenderConfig(EnvReader& env) {
  SenderConfig config;
  config.database = db::ReadDatabaseOptions(env);
  config.token_encryption_keys = env.Required("TOKEN_ENCRYPTION_KEYS", Secrecy::kSecret);
  if (!config.token_encryption_keys.empty()) {
    // TokenCipher's errors name the variable and never the key material.
    env.Validate([&config] { const TokenCipher check(config.token_encryption_keys); });
  }
  config.graph = ReadGraphConfig(env);
  config.rate_per_second = static_cast<double>(env.Integer(
      "SENDER_RATE_PER_SECOND", static_cast<std::int64_t>(config.rate_per_second), 1, 1000));
  return config;
}

}  // namespace switchboard::sender
