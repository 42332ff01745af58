#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/config.hpp"
#include "ingest/meta_routes.hpp"

namespace switchboard::ingest {

/// Everything switchboard-ingest is configured with (see ReadIngestConfig for the variables).
struct IngestConfig {
  std::string log_level = "info";
  std::string brokers;
  /// META_APP_SECRET (a comma-separated list), META_VERIFY_TOKEN, INGEST_ACK_TIMEOUT_MS.
  IngestSettings settings;
  std::string host = "127.0.0.1";
  /// 0: a free port (logged).
  unsigned short port = 8080;
  int threads = 2;
  std::size_t body_limit = 4 << 20;
  /// The producer's linger.ms.
  std::chrono::milliseconds linger{1};
};

/// Reads LOG_LEVEL, KAFKA_BROKERS (required), META_APP_SECRET and META_VERIFY_TOKEN (required,
/// secret), INGEST_HOST (an IP address), INGEST_PORT (0 to 65535), INGEST_THREADS, INGEST_ACK_
/// TIMEOUT_MS, INGEST_LINGER_MS and INGEST_BODY_LIMIT_BYTES through `env`; problems are collected
/// in it.
IngestConfig ReadIngestConfig(EnvReader& env);

}  // namespace switchboard::ingest
