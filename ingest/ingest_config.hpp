#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/config.hpp"
#include "common/kafka_client_config.hpp"
#include "ingest/meta_routes.hpp"
#include "ingest/vapi_routes.hpp"

namespace switchboard::ingest {

/// Everything switchboard-ingest is configured with (see ReadIngestConfig for the variables).
struct IngestConfig {
  std::string log_level = "info";
  std::string brokers;
  /// KAFKA_SECURITY_PROTOCOL, ... (common/kafka_client_config.hpp), installed before the clients.
  KafkaProperties kafka_properties;
  /// META_APP_SECRET (a comma-separated list), META_VERIFY_TOKEN, INGEST_ACK_TIMEOUT_MS.
  IngestSettings settings;
  std::string host = "127.0.0.1";
  /// 0: a free port (logged).
  unsigned short port = 8080;
  int threads = 2;
  std::size_t body_limit = 4 << 20;
  /// The producer's linger.ms.
  std::chrono::milliseconds linger{1};
  /// DATABASE_URL: where the voice integrations are loaded from (never per request).
  std::string database_url;
  /// How often the voice integrations are loaded again.
  std::chrono::milliseconds voice_refresh{10000};
  /// VAPI_SECRET, VAPI_HMAC_SECRET, VAPI_REPLAY_WINDOW_MS, VAPI_TOOL_DEADLINE_MS, VAPI_MODEL,
  /// INGEST_PUBLIC_URL and INGEST_INSTANCE_ID.
  VapiSettings vapi;
};

/// Reads LOG_LEVEL, KAFKA_BROKERS (required), META_APP_SECRET and META_VERIFY_TOKEN (required,
/// secret), INGEST_HOST (an IP address), INGEST_PORT (0 to 65535), INGEST_THREADS, INGEST_ACK_
/// TIMEOUT_MS, INGEST_LINGER_MS, INGEST_BODY_LIMIT_BYTES, DATABASE_URL (required, its password
/// masked), VOICE_REFRESH_MS, VAPI_SECRET and VAPI_HMAC_SECRET (comma-separated lists, secret),
/// VAPI_REPLAY_WINDOW_MS, VAPI_TOOL_DEADLINE_MS, VAPI_MODEL, INGEST_PUBLIC_URL (http(s), without
/// a trailing slash) and INGEST_INSTANCE_ID (default: random) through `env`; problems are
/// collected in it.
IngestConfig ReadIngestConfig(EnvReader& env);

}  // namespace switchboard::ingest
