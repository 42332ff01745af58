#include "workers/admin/admin_config.hpp"

#include "common/db_pool.hpp"
#include "common/token_cipher.hpp"
#include "workers/sender/sender_config.hpp"

namespace switchboard::admin {

AdminConfig ReadAdminConfig(EnvReader& env, AdminNeeds needs) {
  AdminConfig config;
  config.log_level =
      env.OneOf("LOG_LEVEL", config.log_level, {"debug", "info", "warning", "error"});
  if (needs.serve) {
    const db::DatabaseOptions database = db::ReadDatabaseOptions(env);
    config.database_url = database.url;
    config.serve.database_pool_size = database.pool_size;
  } else if (needs.database) {
    config.database_url = env.Required("DATABASE_URL", Secrecy::kPasswordInUrl);
  }
  if (needs.brokers) {
    KafkaClientConfig kafka = ReadKafkaClientConfig(env);
    config.brokers = std::move(kafka.brokers);
    config.kafka_properties = std::move(kafka.properties);
  }
  if (needs.topics) {
    const std::int64_t factor =
        env.Integer("KAFKA_REPLICATION_FACTOR", {0, "min(3, brokers in the cluster)"}, 1, 32);
    const std::int64_t min_insync =
        env.Integer("KAFKA_MIN_INSYNC_REPLICAS", {0, "replication factor - 1 (at least 1)"}, 1, 32);
    if (factor > 0) config.replication.factor = static_cast<int>(factor);
    if (min_insync > 0) config.replication.min_insync = static_cast<int>(min_insync);
    if (factor > 0 && min_insync > factor) {
      env.Fail("KAFKA_MIN_INSYNC_REPLICAS must not be above KAFKA_REPLICATION_FACTOR");
    }
  }
  if (needs.demo_seed || needs.serve) {
    config.token_encryption_keys = env.Required("TOKEN_ENCRYPTION_KEYS", Secrecy::kSecret);
    if (!config.token_encryption_keys.empty()) {
      // TokenCipher's errors name the variable and never the key material.
      env.Validate([&config] { const TokenCipher check(config.token_encryption_keys); });
    }
  }
  if (needs.serve) {
    AdminServeOptions& serve = config.serve;
    serve.host = env.String("ADMIN_HOST", serve.host);
    serve.port = static_cast<unsigned short>(env.Integer("ADMIN_PORT", serve.port, 0, 65535));
    serve.threads = static_cast<int>(env.Integer("ADMIN_THREADS", serve.threads, 1, 64));
    serve.admin_token = env.Required("ADMIN_TOKEN", Secrecy::kSecret);
    serve.body_limit = static_cast<std::size_t>(env.Integer(
        "ADMIN_BODY_LIMIT_BYTES", static_cast<std::int64_t>(serve.body_limit), 1024, 64 << 20));
    serve.meta_app_id = env.Optional("META_APP_ID");
    // Ingest checks signatures with it (a comma-separated list during a rotation): the first is
    // the current one.
    const std::string secrets = env.Required("META_APP_SECRET", Secrecy::kSecret);
    serve.meta_app_secret = secrets.substr(0, secrets.find(','));
    serve.graph = sender::ReadGraphConfig(env);
  }
  if (needs.demo_seed) {
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
