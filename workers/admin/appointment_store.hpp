#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/db_pool.hpp"

namespace switchboard::admin {

/// An appointment as the admin API shows it; times ISO 8601 in UTC.
struct AppointmentRow {
  std::string id;
  std::string customer_id;
  std::optional<std::string> customer_name;
  std::optional<std::string> customer_phone;
  std::optional<std::string> service_id;
  std::optional<std::string> service_name;
  std::string starts_at;
  std::string ends_at;
  std::string status;
  std::string notes;
};

/// The SQL of a tenant's appointments, each call in a db::TenantWork of the tenant.
class AppointmentStore final {
 public:
  explicit AppointmentStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// The appointments starting in [from, to) (ISO 8601 texts, or PostgreSQL's "now" and
  /// "infinity"), earliest first, at most 500. Throws pqxx::data_exception for a time PostgreSQL
  /// cannot read.
  std::vector<AppointmentRow> List(const std::string& business_id, const std::string& from,
                                   const std::string& to) const;
  /// Cancelled (kept as it is when cancelled already); nullopt when the tenant has no such
  /// appointment. The slot is free again at once (the no-overlap constraint covers booked ones).
  std::optional<AppointmentRow> Cancel(const std::string& business_id, const std::string& id) const;

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::admin
