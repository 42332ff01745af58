#include "workers/admin/integration_store.hpp"

#include <pqxx/pqxx>
#include <tuple>

#include "common/encoding.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/admin/sql_time.hpp"

namespace switchboard::admin {

namespace {

constexpr char kSelect[] =
    "SELECT id::text, type, platform_id, active, access_token_ciphertext IS NOT NULL, "
    SWITCHBOARD_ISO_UTC("token_expires_at") ", "
    "CASE WHEN NOT active THEN 'revoked' WHEN token_expires_at <= now() THEN 'expired' "
    "WHEN token_expires_at <= now() + interval '7 days' THEN 'expiring' ELSE 'active' END, "
    SWITCHBOARD_ISO_UTC("created_at") ", 0 AS kind, created_at FROM integrations "
    "WHERE business_id = $1 AND ($2::uuid[] IS NULL OR id = ANY ($2::uuid[])) "
    "UNION ALL SELECT id::text, 'voice', phone_number_id, active, false, NULL, "
    "CASE WHEN active THEN 'active' ELSE 'revoked' END, "
    SWITCHBOARD_ISO_UTC("created_at") ", 1, created_at FROM voice_integrations "
    "WHERE business_id = $1 AND ($2::uuid[] IS NULL OR id = ANY ($2::uuid[])) "
    "ORDER BY kind, created_at, id";

/// The integrations of the tenant, or only those whose ids `ids` lists ("{id,...}").
std::vector<IntegrationRow> Select(pqxx::transaction_base& tx, const std::string& business_id,
                                   const std::optional<std::string>& ids) {
  std::vector<IntegrationRow> rows;
  for (const auto& row : db::Exec(tx, kSelect, business_id, ids)) {
    IntegrationRow integration;
    integration.id = row[0].as<std::string>();
    integration.type = row[1].as<std::string>();
    integration.platform_id = row[2].as<std::string>();
    integration.active = row[3].as<bool>();
    integration.has_access_token = row[4].as<bool>();
    if (!row[5].is_null()) integration.token_expires_at = row[5].as<std::string>();
    integration.status = row[6].as<std::string>();
    integration.created_at = row[7].as<std::string>();
    rows.push_back(std::move(integration));
  }
  return rows;
}

/// `token` sealed by `cipher`, as hex (libpqxx 6 binds no optional binarystring), and the key id.
std::pair<std::string, std::string> Sealed(const TokenCipher& cipher, const std::string& token) {
  const std::string sealed = cipher.Encrypt(token);
  return {HexEncode({reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size()}),
          cipher.CurrentKeyId()};
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
      std::optional<std::string> ciphertext;
      std::optional<std::string> key_id;
      if (access_token) std::tie(ciphertext, key_id) = Sealed(cipher_, *access_token);
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
  auto rows = Select(tx, business_id, "{" + id + "}");
  tx.commit();
  return rows.at(0);
}

std::vector<IntegrationRow> IntegrationStore::Store(
    const std::string& business_id, const std::vector<AccountToken>& accounts) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  std::string ids;
  for (const AccountToken& account : accounts) {
    const auto [ciphertext, key_id] = Sealed(cipher_, account.access_token);
    // The tenant's own account gets the new token; another tenant's makes the INSERT fail.
    auto updated = db::Exec(
        tx,
        "UPDATE integrations SET access_token_ciphertext = decode($4, 'hex'), token_key_id = $5, "
        "token_expires_at = now() + $6::bigint * interval '1 second', active = true, "
        "updated_at = now() WHERE business_id = $1 AND type = $2 AND platform_id = $3 "
        "RETURNING id::text",
        business_id, account.type, account.platform_id, ciphertext, key_id, account.expires_in);
    try {
      if (updated.empty()) {
        updated = db::Exec(tx,
                           "INSERT INTO integrations (business_id, type, platform_id, "
                           "access_token_ciphertext, token_key_id, token_expires_at) VALUES ($1, "
                           "$2, $3, decode($4, 'hex'), $5, now() + $6::bigint * interval '1 "
                           "second') RETURNING id::text",
                           business_id, account.type, account.platform_id, ciphertext, key_id,
                           account.expires_in);
      }
    } catch (const pqxx::unique_violation&) {
      throw PlatformIdTaken("the " + account.type + " account " + account.platform_id +
                            " is connected to another tenant");
    }
    ids += (ids.empty() ? "" : ",") + updated[0][0].as<std::string>();
  }
  auto rows =
      ids.empty() ? std::vector<IntegrationRow>{} : Select(tx, business_id, "{" + ids + "}");
  tx.commit();
  return rows;
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
