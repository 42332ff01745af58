#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <utility>

namespace switchboard::db {

/// Registers `sql` as a prepared statement of the transaction's connection (a no-op once
/// registered there) and returns its name, derived from the text: every call site with the same
/// text shares one server-side statement.
std::string Prepare(pqxx::transaction_base& tx, const std::string& sql);

/// Runs `sql` with `args` ($1, $2, ...) like pqxx's exec_params, as a prepared statement of the
/// transaction's connection: PostgreSQL parses and plans it on the connection's first call only,
/// where exec_params has it parsed and planned on every call (more than half of the database's
/// time per message in pipeline_bench). This is how the stages run their parameterized queries.
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  return tx.exec_prepared(Prepare(tx, sql), std::forward<Args>(args)...);
}

/// Exec for a statement that returns exactly one row (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::row Exec1(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  return tx.exec_prepared1(Prepare(tx, sql), std::forward<Args>(args)...);
}

}  // namespace switchboard::db
