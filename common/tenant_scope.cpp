#include "common/tenant_scope.hpp"

#include <pqxx/pqxx>
#include <string>

#include "common/prepared.hpp"

namespace switchboard::db {

void SetTenant(pqxx::transaction_base& tx, std::string_view business_id) {
  // The ::uuid cast rejects a malformed id here, not in the first query that hits a policy.
  db::Exec(tx, "SELECT set_config('app.business_id', $1::uuid::text, true)",
           std::string(business_id));
}

}  // namespace switchboard::db
