#include "common/db_pool.hpp"

#include <pqxx/nontransaction>

#include "common/config.hpp"

namespace switchboard::db {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->GiveBack(std::move(connection_));
}

ConnectionPool::ConnectionPool(std::string url, std::size_t size)
    : url_(std::move(url)), free_slots_(size) {}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_ptr<pqxx::connection> connection;
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return free_slots_ > 0; });
    --free_slots_;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  try {
    if (!connection || !connection->is_open()) {
      connection = std::make_unique<pqxx::connection>(url_);
      // Notices are of no use to a stage, and they are not free: websearch_to_tsquery raises
      // one for every stop word the knowledge search passes it ("what", "your"), which
      // PostgreSQL formats and sends; they doubled the search's time. Warnings still arrive.
      connection->set_variable("client_min_messages", "warning");
      // Every statement runs prepared (db::Exec) so that it is planned once per connection; by
      // default PostgreSQL still plans the first five executions for their parameters and keeps
      // doing so while a generic plan looks dearer, which it did for the knowledge search: a
      // third of PostgreSQL's time in agent_bench went to planning. Our statements are lookups
      // by key, for which the generic plan is the plan.
      connection->set_variable("plan_cache_mode", "force_generic_plan");
    }
  } catch (...) {
    GiveBack(nullptr);
    throw;
  }
  return Lease(this, std::move(connection));
}

void ConnectionPool::GiveBack(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  // A broken connection is dropped; the slot is reopened by the next Acquire.
  if (connection && connection->is_open()) idle_.push_back(std::move(connection));
  ++free_slots_;
  available_.notify_one();
}

bool ConnectionPool::Ping() {
  try {
    Lease lease = Acquire();
    pqxx::nontransaction tx(*lease);
    tx.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

DatabaseOptions ReadDatabaseOptions(EnvReader& env) {
  DatabaseOptions options;
  options.url = env.Required("DATABASE_URL", Secrecy::kPasswordInUrl);
  options.pool_size = static_cast<std::size_t>(
      env.Integer("DATABASE_POOL_SIZE", static_cast<std::int64_t>(options.pool_size), 1, 1000));
  return options;
}

std::shared_ptr<ConnectionPool> MakeConnectionPool(const DatabaseOptions& options) {
  return std::make_shared<ConnectionPool>(options.url, options.pool_size);
}

}  // namespace switchboard::db
