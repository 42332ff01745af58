#include "workers/admin/service_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::admin {

namespace {

constexpr char kColumns[] =
    " id::text, name, duration_minutes, price_cents, currency, description, active";

ServiceRow ServiceOf(const pqxx::row& row) {
  return {row[0].as<std::string>(),  row[1].as<std::string>(), row[2].as<std::int64_t>(),
          row[3].as<std::int64_t>(), row[4].as<std::string>(), row[5].as<std::string>(),
          row[6].as<bool>()};
}

}  // namespace

ServiceRow ServiceStore::Create(const std::string& business_id, const ServiceFields& fields) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  try {
    const pqxx::row row = db::Exec1(
        tx,
        std::string("INSERT INTO services (business_id, name, duration_minutes, price_cents, "
                    "currency, description, active) VALUES ($1, $2, $3, coalesce($4, 0), "
                    "coalesce($5, 'USD'), coalesce($6, ''), coalesce($7, true)) RETURNING") +
            kColumns,
        business_id, fields.name, fields.duration_minutes, fields.price_cents, fields.currency,
        fields.description, fields.active);
    ServiceRow service = ServiceOf(row);
    tx.commit();
    return service;
  } catch (const pqxx::unique_violation&) {
    throw DuplicateName("a service named so exists already");
  }
}

std::vector<ServiceRow> ServiceStore::List(const std::string& business_id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id, db::TenantWork::Access::kReadOnly);
  std::vector<ServiceRow> services;
  for (const auto& row : db::Exec(tx,
                                  std::string("SELECT") + kColumns +
                                      " FROM services WHERE business_id = $1 ORDER BY name, id",
                                  business_id)) {
    services.push_back(ServiceOf(row));
  }
  return services;
}

std::optional<ServiceRow> ServiceStore::Update(const std::string& business_id,
                                               const std::string& id,
                                               const ServiceFields& fields) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  try {
    const auto result = db::Exec(
        tx,
        std::string("UPDATE services SET name = coalesce($3, name), "
                    "duration_minutes = coalesce($4, duration_minutes), "
                    "price_cents = coalesce($5, price_cents), currency = coalesce($6, currency), "
                    "description = coalesce($7, description), active = coalesce($8, active) "
                    "WHERE business_id = $1 AND id = $2 RETURNING") +
            kColumns,
        business_id, id, fields.name, fields.duration_minutes, fields.price_cents, fields.currency,
        fields.description, fields.active);
    if (result.empty()) return std::nullopt;
    ServiceRow service = ServiceOf(result[0]);
    tx.commit();
    return service;
  } catch (const pqxx::unique_violation&) {
    throw DuplicateName("a service named so exists already");
  }
}

bool ServiceStore::Delete(const std::string& business_id, const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  const auto result =
      db::Exec(tx, "DELETE FROM services WHERE business_id = $1 AND id = $2", business_id, id);
  tx.commit();
  return result.affected_rows() == 1;
}

}  // namespace switchboard::admin
