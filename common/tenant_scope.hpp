#pragma once

#include <pqxx/transaction_base>
#include <string_view>

namespace switchboard::db {

/// Scopes `tx` to the tenant `business_id` (a UUID): sets app.business_id for this transaction
/// only (set_config(..., true)), which every row-level security policy compares business_id to.
/// This is the one way a stage scopes its work: call it first in each transaction on the
/// application role's connection; an unscoped transaction sees and writes no tenant rows, and the
/// scope ends with the transaction. Throws pqxx::data_exception when `business_id` is not a UUID.
void SetTenant(pqxx::transaction_base& tx, std::string_view business_id);

}  // namespace switchboard::db
