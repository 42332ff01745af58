#include "common/tenant_scope.hpp"

namespace switchboard::db {

TenantWork::TenantWork(pqxx::connection_base& connection, std::string_view business_id,
                       Access access)
    : pqxx::internal::namedclass("TenantWork"),
      basic_transaction(connection, pqxx::isolation_traits<pqxx::read_committed>::name(),
                        pqxx::read_write),
      // The ::uuid cast refuses a malformed id here, not in the first query that hits a policy.
      begin_(std::string(access == Access::kReadOnly ? "BEGIN READ ONLY" : "BEGIN") +
             "; SELECT set_config('app.business_id', '" + connection.esc(std::string(business_id)) +
             "'::uuid::text, true)") {
  Begin();
}

TenantWork::~TenantWork() noexcept {
  End();
}

void TenantWork::do_begin() {
  try {
    direct_exec(begin_.c_str());
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception&) {
    // BEGIN ran and the scope failed: the server's transaction is aborted, and pqxx does not
    // roll back a transaction that never began, so the pooled connection would refuse its next
    // statements.
    try {
      direct_exec("ROLLBACK");
    } catch (const std::exception&) {
    }
    throw;
  }
}

}  // namespace switchboard::db
