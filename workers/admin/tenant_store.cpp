#include "workers/admin/tenant_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/admin/sql_time.hpp"

namespace switchboard::admin {

namespace {

constexpr char kColumns[] =
    "id::text, name, slug, timezone, language, opening_hours::text, settings::text, plan, "
    "monthly_message_limit, monthly_voice_minutes_limit, active, " SWITCHBOARD_ISO_UTC(
        "created_at");

Tenant TenantOf(const pqxx::row& row) {
  Tenant tenant;
  tenant.id = row[0].as<std::string>();
  tenant.name = row[1].as<std::string>();
  tenant.slug = row[2].as<std::string>();
  tenant.timezone = row[3].as<std::string>();
  tenant.language = row[4].as<std::string>();
  tenant.opening_hours = row[5].as<std::string>();
  tenant.settings = row[6].as<std::string>();
  tenant.plan = row[7].as<std::string>();
  tenant.monthly_message_limit = row[8].as<std::int64_t>();
  tenant.monthly_voice_minutes_limit = row[9].as<std::int64_t>();
  tenant.active = row[10].as<bool>();
  tenant.created_at = row[11].as<std::string>();
  return tenant;
}

std::optional<Tenant> FirstTenant(const pqxx::result& result) {
  if (result.empty()) return std::nullopt;
  return TenantOf(result[0]);
}

pqxx::binarystring Bytes(const Sha256Digest& digest) {
  return pqxx::binarystring(digest.data(), digest.size());
}

}  // namespace

std::string TenantStore::NewId() const {
  auto connection = pool_.Acquire();
  pqxx::read_transaction tx(*connection);
  return tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>();
}

Tenant TenantStore::Insert(const std::string& id, const TenantFields& fields,
                           const std::string& slug_base, const Sha256Digest& key_hash) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id);
  const pqxx::row row = db::Exec1(
      tx,
      std::string("INSERT INTO businesses (id, name, slug, timezone, language, opening_hours, "
                  "settings, api_key_hash, api_key_created_at) "
                  "VALUES ($1::uuid, $2, $3 || '-' || left($1::text, 8), $4, $5, "
                  "coalesce($6::jsonb, '{}'), "
                  "coalesce($7::jsonb, '{}'), $8, now()) RETURNING ") +
          kColumns,
      id, fields.name, slug_base, fields.timezone, fields.language, fields.opening_hours,
      fields.settings, Bytes(key_hash));
  Tenant tenant = TenantOf(row);
  tx.commit();
  return tenant;
}

std::optional<Tenant> TenantStore::Find(const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id, db::TenantWork::Access::kReadOnly);
  return FirstTenant(
      db::Exec(tx, std::string("SELECT ") + kColumns + " FROM businesses WHERE id = $1", id));
}

std::vector<TenantSummary> TenantStore::List(int limit) const {
  auto connection = pool_.Acquire();
  // Not scoped to a tenant: admin_tenants() runs as its owner and returns the list's columns only.
  pqxx::read_transaction tx(*connection);
  std::vector<TenantSummary> tenants;
  for (const auto& row :
       db::Exec(tx,
                "SELECT id::text, name, slug, language, timezone, active, " SWITCHBOARD_ISO_UTC(
                    "created_at") ", messages_this_month, monthly_message_limit "
                                  "FROM admin_tenants($1)",
                limit)) {
    tenants.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                       row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<bool>(),
                       row[6].as<std::string>(), row[7].as<std::int64_t>(),
                       row[8].as<std::int64_t>()});
  }
  return tenants;
}

bool TenantStore::Exists(const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id, db::TenantWork::Access::kReadOnly);
  return !db::Exec(tx, "SELECT 1 FROM businesses WHERE id = $1", id).empty();
}

std::optional<MonthUsage> TenantStore::Usage(const std::string& id,
                                             const std::string& month) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id, db::TenantWork::Access::kReadOnly);
  const auto result = db::Exec(
      tx,
      "SELECT coalesce(u.messages, 0), coalesce(u.llm_tokens, 0), coalesce(u.voice_seconds, 0), "
      "b.monthly_message_limit, b.monthly_voice_minutes_limit FROM businesses b "
      "LEFT JOIN usage_counters u ON u.business_id = b.id AND u.month = ($2 || '-01')::date "
      "WHERE b.id = $1",
      id, month);
  if (result.empty()) return std::nullopt;
  const pqxx::row row = result[0];
  return MonthUsage{month,
                    row[0].as<std::int64_t>(),
                    row[1].as<std::int64_t>(),
                    row[2].as<std::int64_t>(),
                    row[3].as<std::int64_t>(),
                    row[4].as<std::int64_t>()};
}

std::optional<Tenant> TenantStore::Update(const std::string& id, const TenantFields& fields) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id);
  auto tenant = FirstTenant(db::Exec(
      tx,
      std::string("UPDATE businesses SET name = coalesce($2, name), "
                  "timezone = coalesce($3, timezone), language = coalesce($4, language), "
                  "opening_hours = coalesce($5::jsonb, opening_hours), "
                  "settings = coalesce($6::jsonb, settings) WHERE id = $1 RETURNING ") +
          kColumns,
      id, fields.name, fields.timezone, fields.language, fields.opening_hours, fields.settings));
  tx.commit();
  return tenant;
}

std::optional<Tenant> TenantStore::Deactivate(const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id);
  auto tenant = FirstTenant(db::Exec(
      tx,
      std::string("UPDATE businesses SET active = false, "
                  "deactivated_at = coalesce(deactivated_at, now()) WHERE id = $1 RETURNING ") +
          kColumns,
      id));
  tx.commit();
  return tenant;
}

bool TenantStore::SetApiKeyHash(const std::string& id, const Sha256Digest& hash) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id);
  const auto updated = db::Exec(tx,
                                "UPDATE businesses SET api_key_hash = $2, api_key_created_at = "
                                "now() WHERE id = $1 AND active",
                                id, Bytes(hash));
  tx.commit();
  return updated.affected_rows() == 1;
}

std::optional<Sha256Digest> TenantStore::ApiKeyHash(const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, id, db::TenantWork::Access::kReadOnly);
  const auto result = db::Exec(
      tx,
      "SELECT api_key_hash FROM businesses WHERE id = $1 AND active AND api_key_hash IS NOT NULL",
      id);
  if (result.empty()) return std::nullopt;
  const pqxx::binarystring bytes(result[0][0]);
  Sha256Digest digest{};
  if (bytes.size() != digest.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

}  // namespace switchboard::admin
