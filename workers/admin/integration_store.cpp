#include "workers/admin/integration_store.hpp"

#include <pqxx/pqxx>

#include "common/encoding.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::admin {

namespace {

#define SWITCHBOARD_ISO_UTC(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

constexpr char kSelect[] =
    "SELECT id::text, type, platform_id, active, access_token_ciphertext IS NOT NULL, "
    SWITCHBOARD_ISO_UTC("created_at") ", 0 AS kind, created_at FROM integrations "
    "WHERE business_id = $1 AND ($2::uuid IS NULL OR id = $2::uuid) "
    "UNION ALL SELECT id::text, 'voice', phone_number_id, active, false, "
    SWITCHBOARD_ISO_UTC("created_at") ", 1, created_at FROM voice_integrations "
    "WHERE business_id = $1 AND ($2::uuid IS NULL OR id = $2::uuid) "
    "ORDER BY kind, created_at, id";

std::vector<IntegrationRow> Select(pqxx::transaction_base& tx, const std::string& business_id,
                                   const std::optional<std::string>& id) {
  std::vector<IntegrationRow> rows;
  for (const auto& row : db::Exec(tx, kSelect, business_id, id)) {
    rows.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    row[3].as<bool>(), row[4].as<bool>(), row[5].as<std::string>()});
  }
  return rows;
}

}  // namespace

IntegrationRow IntegrationStore::Create(const std::string& business_id, const std::string& type,
                                        const std::string& platform_id,
                                        const std::optional<std::string>& access_token) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  std::string id;
  try {
    if (type == "voice") {
      id = db::Exec1(tx,
                     "INSERT INTO voice_integrations (business_id, phone_number_id) "
                     "VALUES ($1, $2) RETURNING id::text",
                     business_id, platform_id)[0]
               .as<std::string>();
    } else {
      // Hex through the text protocol: libpqxx 6 binds no optional binarystring.
      std::optional<std::string> ciphertext;
      std::optional<std::string> key_id;
      if (access_token) {
        const std::string sealed = cipher_.Encrypt(*access_token);
        ciphertext =
            HexEncode({reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size()});
        key_id = cipher_.CurrentKeyId();
      }
      id = db::Exec1(
               tx,
               "INSERT INTO integrations (business_id, type, platform_id, "
               "access_token_ciphertext, token_key_id) VALUES ($1, $2, $3, decode($4, 'hex'), $5) "
               "RETURNING id::text",
               business_id, type, platform_id, ciphertext, key_id)[0]
               .as<std::string>();
    }
  } catch (const pqxx::unique_violation&) {
    throw PlatformIdTaken("this " + type + " account is connected already");
  }
  auto rows = Select(tx, business_id, id);
  tx.commit();
  return rows.at(0);
}

std::vector<IntegrationRow> IntegrationStore::List(const std::string& business_id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id, db::TenantWork::Access::kReadOnly);
  return Select(tx, business_id, std::nullopt);
}

bool IntegrationStore::Delete(const std::string& business_id, const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  const auto deleted = db::Exec(tx,
                                "WITH messaging AS (DELETE FROM integrations WHERE business_id = "
                                "$1 AND id = $2 RETURNING 1), voice AS (DELETE FROM "
                                "voice_integrations WHERE business_id = $1 AND id = $2 RETURNING "
                                "1) SELECT (SELECT count(*) FROM messaging) + (SELECT count(*) "
                                "FROM voice)",
                                business_id, id);
  tx.commit();
  return deleted[0][0].as<int>() > 0;
}

}  // namespace switchboard::admin
