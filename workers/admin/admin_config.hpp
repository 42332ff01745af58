#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/config.hpp"
#include "common/embeddings_client.hpp"
#include "common/kafka_client_config.hpp"
#include "common/kafka_topics.hpp"
#include "workers/admin/demo_seed.hpp"
#include "workers/sender/graph_client.hpp"

namespace switchboard::admin {

/// What a command of switchboard-admin needs from the environment besides LOG_LEVEL.
struct AdminNeeds {
  /// DATABASE_URL: the owner role (migrate, seed-demo).
  bool database = false;
  /// KAFKA_BROKERS and the client's security (create-topics, lag, replay, dlq, serve).
  bool brokers = false;
  /// KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS (create-topics).
  bool topics = false;
  /// TOKEN_ENCRYPTION_KEYS and the demo integration (seed-demo).
  bool demo_seed = false;
  /// The embeddings endpoint, EMBEDDINGS_* (embed-knowledge; seed-demo when it is set).
  bool embeddings = false;
  /// The admin HTTP service (serve): ADMIN_*, DATABASE_POOL_SIZE, TOKEN_ENCRYPTION_KEYS.
  bool serve = false;
};

/// How `switchboard-admin serve` listens and whom it lets in.
struct AdminServeOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8088;
  /// Threads answering requests (a request's database work runs on its thread).
  int threads = 4;
  /// ADMIN_TOKEN: the platform admin's Bearer token; never logged.
  std::string admin_token;
  std::size_t body_limit = 4 * 1024 * 1024;
  std::size_t database_pool_size = 8;
  /// META_APP_ID: the Meta app of the connect flow; nullopt turns the flow off (503).
  std::optional<std::string> meta_app_id;
  /// META_APP_SECRET: the app's secret (also what ingest checks signatures with); never logged.
  std::string meta_app_secret;
  /// GRAPH_BASE_URL, GRAPH_VERSION, GRAPH_TIMEOUT_MS: where the connect flow reaches Meta.
  sender::GraphConfig graph;
};

/// Everything switchboard-admin is configured with; a field a command does not need stays empty.
struct AdminConfig {
  std::string log_level = "info";
  /// The owner role's URL (its password is never logged).
  std::string database_url;
  std::string brokers;
  /// KAFKA_SECURITY_PROTOCOL, ... (common/kafka_client_config.hpp), installed before the clients.
  KafkaProperties kafka_properties;
  /// KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS of the topics create-topics makes.
  TopicReplication replication;
  /// Checked to be a valid key ring (TokenCipher); never logged.
  std::string token_encryption_keys;
  /// DEMO_WHATSAPP_PHONE_NUMBER_ID, DEMO_WHATSAPP_TOKEN (secret) and DEMO_VAPI_PHONE_NUMBER_ID.
  DemoSeedOptions demo;
  /// nullopt when EMBEDDINGS_BASE_URL is unset.
  std::optional<EmbeddingsOptions> embeddings;
  AdminServeOptions serve;
};

/// Reads LOG_LEVEL and the variables `needs` names, each required except the demo integration's,
/// through `env`; problems are collected in it.
AdminConfig ReadAdminConfig(EnvReader& env, AdminNeeds needs);

}  // namespace switchboard::admin
