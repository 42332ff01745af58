#include "workers/admin/appointment_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/admin/sql_time.hpp"

namespace switchboard::admin {

namespace {

// $1 business; $2, $3 the range; $4 one appointment's id.
constexpr char kSelect[] =
    "SELECT a.id::text, a.customer_id::text, cu.name, cu.phone, a.service_id::text, s.name, "
    SWITCHBOARD_ISO_UTC("a.starts_at") ", " SWITCHBOARD_ISO_UTC("a.ends_at") ", a.status, a.notes "
    "FROM appointments a "
    "JOIN customers cu ON cu.business_id = a.business_id AND cu.id = a.customer_id "
    "LEFT JOIN services s ON s.business_id = a.business_id AND s.id = a.service_id "
    "WHERE a.business_id = $1 AND ($2::timestamptz IS NULL OR a.starts_at >= $2::timestamptz) "
    "AND ($3::timestamptz IS NULL OR a.starts_at < $3::timestamptz) "
    "AND ($4::uuid IS NULL OR a.id = $4::uuid) ORDER BY a.starts_at, a.id LIMIT 500";

std::optional<std::string> Nullable(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

std::vector<AppointmentRow> Select(pqxx::transaction_base& tx, const std::string& business_id,
                                   const std::optional<std::string>& from,
                                   const std::optional<std::string>& to,
                                   const std::optional<std::string>& id) {
  std::vector<AppointmentRow> rows;
  for (const auto& row : db::Exec(tx, kSelect, business_id, from, to, id)) {
    rows.push_back({row[0].as<std::string>(), row[1].as<std::string>(), Nullable(row[2]),
                    Nullable(row[3]), Nullable(row[4]), Nullable(row[5]), row[6].as<std::string>(),
                    row[7].as<std::string>(), row[8].as<std::string>(), row[9].as<std::string>()});
  }
  return rows;
}

}  // namespace

std::vector<AppointmentRow> AppointmentStore::List(const std::string& business_id,
                                                   const std::string& from,
                                                   const std::string& to) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id, db::TenantWork::Access::kReadOnly);
  return Select(tx, business_id, from, to, std::nullopt);
}

std::optional<AppointmentRow> AppointmentStore::Cancel(const std::string& business_id,
                                                       const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  db::Exec(tx,
           "UPDATE appointments SET status = 'cancelled', cancelled_at = now() "
           "WHERE business_id = $1 AND id = $2 AND status = 'booked'",
           business_id, id);
  auto rows = Select(tx, business_id, std::nullopt, std::nullopt, id);
  tx.commit();
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

}  // namespace switchboard::admin
