#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace switchboard {
class EnvReader;
}

namespace switchboard::db {

/// A fixed number of PostgreSQL connections shared by a stage's worker threads. Connections are
/// opened lazily and replaced when broken.
class ConnectionPool final {
 public:
  /// A connection borrowed from the pool; given back when destroyed.
  class Lease final {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() const { return *connection_; }
    pqxx::connection* operator->() const { return connection_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  /// `size` connections at most to `url`; nothing is opened yet.
  ConnectionPool(std::string url, std::size_t size);

  /// Waits for a free connection (opening it if needed). Throws pqxx::broken_connection when the
  /// database cannot be reached (the stage runtime retries that record).
  Lease Acquire();

  /// Whether the database answers a trivial query now (for /readyz).
  bool Ping();

 private:
  void GiveBack(std::unique_ptr<pqxx::connection> connection);

  std::string url_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t free_slots_;
};

/// Where a process's database is and how many connections it may hold.
struct DatabaseOptions {
  /// DATABASE_URL: the application role for stages (its password is never logged).
  std::string url;
  /// DATABASE_POOL_SIZE: the pool's connections.
  std::size_t pool_size = 8;
};

/// DATABASE_URL (required) and DATABASE_POOL_SIZE (8, from 1 to 1000) read through `env`.
DatabaseOptions ReadDatabaseOptions(EnvReader& env);

/// A pool as `options` describe.
std::shared_ptr<ConnectionPool> MakeConnectionPool(const DatabaseOptions& options);

}  // namespace switchboard::db
