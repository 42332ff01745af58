#pragma once

#include <pqxx/transaction>
#include <string>
#include <string_view>

namespace switchboard::db {

/// A transaction scoped to the tenant `business_id` (a UUID): app.business_id is set for this
/// transaction only (set_config(..., true)), and every row-level security policy compares
/// business_id to it. This is the one way a stage works on tenant rows on the application role's
/// connection; an unscoped transaction sees and writes no tenant rows, and the scope ends with the
/// transaction. BEGIN and the scope reach the server as one query, one round trip where a
/// pqxx::work and a set_config statement took two (a seventh of a message's round trips).
/// Throws pqxx::data_exception when `business_id` is not a UUID; the connection stays usable.
class TenantWork final : public pqxx::internal::basic_transaction {
 public:
  enum class Access { kReadWrite, kReadOnly };

  TenantWork(pqxx::connection_base& connection, std::string_view business_id,
             Access access = Access::kReadWrite);
  ~TenantWork() noexcept override;

 private:
  void do_begin() override;

  std::string begin_;
};

}  // namespace switchboard::db
