#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db_pool.hpp"

namespace switchboard::admin {

/// A services row as the admin API shows it.
struct ServiceRow {
  std::string id;
  std::string name;
  std::int64_t duration_minutes = 0;
  std::int64_t price_cents = 0;
  std::string currency;
  std::string description;
  bool active = true;
};

/// What a create or patch sets; absent fields keep their value (or the column's default).
struct ServiceFields {
  std::optional<std::string> name;
  std::optional<std::int64_t> duration_minutes;
  std::optional<std::int64_t> price_cents;
  std::optional<std::string> currency;
  std::optional<std::string> description;
  std::optional<bool> active;
};

/// Thrown when a service of that name exists already (UNIQUE (business_id, name)).
class DuplicateName : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The SQL of a tenant's services, each call in a db::TenantWork of `business_id`. The facts
/// passages of the knowledge base follow every change (migration 0007's triggers).
class ServiceStore final {
 public:
  explicit ServiceStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Throws DuplicateName.
  ServiceRow Create(const std::string& business_id, const ServiceFields& fields) const;
  std::vector<ServiceRow> List(const std::string& business_id) const;
  /// nullopt when the tenant has no such service. Throws DuplicateName.
  std::optional<ServiceRow> Update(const std::string& business_id, const std::string& id,
                                   const ServiceFields& fields) const;
  /// false when the tenant has no such service; its appointments keep their times.
  bool Delete(const std::string& business_id, const std::string& id) const;

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::admin
