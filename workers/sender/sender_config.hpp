#pragma once

#include <string>

#include "common/config.hpp"
#include "common/db_pool.hpp"
#include "workers/sender/graph_client.hpp"

namespace switchboard::sender {

/// The sender's own configuration, besides every stage's (common/stage_main.hpp).
struct SenderConfig {
  db::DatabaseOptions database;
  /// TOKEN_ENCRYPTION_KEYS, checked to be a valid key ring (TokenCipher); never logged.
  std::string token_encryption_keys;
  GraphConfig graph;
  /// SENDER_RATE_PER_SECOND: sends per second per channel account.
  double rate_per_second = 20;
};

/// Reads GRAPH_BASE_URL (an http(s) URL; trailing slashes dropped), GRAPH_VERSION and
/// GRAPH_TIMEOUT_MS through `env` (the sender's, and the admin service's Meta connect flow).
GraphConfig ReadGraphConfig(EnvReader& env);

/// Reads DATABASE_URL, DATABASE_POOL_SIZE, TOKEN_ENCRYPTION_KEYS (required, secret),
/// GRAPH_BASE_URL (an http(s) URL; trailing slashes dropped), GRAPH_VERSION, GRAPH_TIMEOUT_MS and
/// SENDER_RATE_PER_SECOND through `env`; problems are collected in it.
SenderConfig ReadSenderConfig(EnvReader& env);

}  // namespace switchboard::sender
