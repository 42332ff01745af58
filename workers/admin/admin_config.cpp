#include "workers/admin/admin_config.hpp"

#include "common/token_cipher.hpp"

namespace switchboard::admin {

AdminConfig ReadAdminConfig(EnvReader& env, AdminNeeds needs) {
  AdminConfig config;
  config.log_level =
      env.OneOf("LOG_LEVEL", config.log_level, {"debug", "info", "warning", "error"});
  if (needs.database) config.database_url = env.Required("DATABASE_URL", Secrecy::kPasswordInUrl);
  if (needs.brokers) config.brokers = env.Required("KAFKA_BROKERS");
  if (needs.demo_seed) {
    config.token_encryption_keys = env.Required("TOKEN_ENCRYPTION_KEYS", Secrecy::kSecret);
    if (!config.token_encryption_keys.empty()) {
      // TokenCipher's errors name the variable and never the key material.
      env.Validate([&config] { const TokenCipher check(config.token_encryption_keys); });
    }
    config.demo.whatsapp_phone_number_id =
        env.String("DEMO_WHATSAPP_PHONE_NUMBER_ID", config.demo.whatsapp_phone_number_id);
    config.demo.whatsapp_access_token =
        env.String("DEMO_WHATSAPP_TOKEN", config.demo.whatsapp_access_token, Secrecy::kSecret);
    config.demo.vapi_phone_number_id =
        env.String("DEMO_VAPI_PHONE_NUMBER_ID", config.demo.vapi_phone_number_id);
  }
  if (needs.embeddings) config.embeddings = ReadEmbeddingsOptions(env);
  return config;
}

}  // namespace switchboard::admin
