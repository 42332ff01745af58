#include "workers/sender/sender_config.hpp"

#include "common/http_client.hpp"
#include "common/token_cipher.hpp"

namespace switchboard::sender {

SenderConfig ReadSenderConfig(EnvReader& env) {
  using std::chrono::milliseconds;
  SenderConfig config;
  config.database = db::ReadDatabaseOptions(env);
  config.token_encryption_keys = env.Required("TOKEN_ENCRYPTION_KEYS", Secrecy::kSecret);
  if (!config.token_encryption_keys.empty()) {
    // TokenCipher's errors name the variable and never the key material.
    env.Validate([&config] { const TokenCipher check(config.token_encryption_keys); });
  }
  // A URL with user info is refused, but shown masked all the same should one be set.
  config.graph.base_url =
      env.String("GRAPH_BASE_URL", config.graph.base_url, Secrecy::kPasswordInUrl);
  while (!config.graph.base_url.empty() && config.graph.base_url.back() == '/') {
    config.graph.base_url.pop_back();
  }
  if (!ParseUrl(config.graph.base_url).ok()) {
    env.Fail("GRAPH_BASE_URL must be an http(s) URL without user info, got '" +
             MaskSecret(config.graph.base_url, Secrecy::kPasswordInUrl) + "'");
  }
  config.graph.version = env.String("GRAPH_VERSION", config.graph.version);
  config.graph.timeout =
      env.Millis("GRAPH_TIMEOUT_MS", config.graph.timeout, milliseconds(1), milliseconds(600000));
  config.rate_per_second = static_cast<double>(env.Integer(
      "SENDER_RATE_PER_SECOND", static_cast<std::int64_t>(config.rate_per_second), 1, 1000));
  return config;
}

}  // namespace switchboard::sender
