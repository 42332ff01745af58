#pragma once

// `switchboard-admin serve`: the admin HTTP service. It owns what the route units share (the
// database pool, the producer, the token cipher, the metrics registry), builds the route table
// (workers/admin/admin_routes.hpp), has every route unit register its routes on it, and serves it
// until SIGTERM/SIGINT, finishing the requests in progress.

#include <memory>

#include "common/db_pool.hpp"
#include "common/kafka_producer.hpp"
#include "common/token_cipher.hpp"
#include "workers/admin/admin_config.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/operator_routes.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::admin {

/// What the route units of the admin service may use; everything outlives the routes.
struct AdminServices {
  const AdminConfig& config;
  /// The application role's connections (DATABASE_URL); tenant work goes through db::TenantWork.
  db::ConnectionPool& database;
  KafkaProducer& producer;
  const TokenCipher& cipher;
  prometheus::Registry& registry;
  /// Consumer lag sampled in the background (the operator routes and gauges).
  LagMonitor& lag;
};

/// Registers every route unit's routes on `routes`. A new unit adds its one call here.
void RegisterAdminRoutes(AdminRoutes& routes, AdminServices& services);

/// Runs the service until a signal; returns the exit code (0 after a signal). Throws what
/// start-up throws (the port is taken, the token cipher refuses its keys).
int RunAdminService(const AdminConfig& config);

}  // namespace switchboard::admin
