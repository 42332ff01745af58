#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/token_cipher.hpp"

namespace switchboard::admin {

/// A channel account of a tenant as the admin API shows it (never its token).
struct IntegrationRow {
  std::string id;
  /// whatsapp, instagram, messenger or voice (a Vapi phone number, voice_integrations).
  std::string type;
  std::string platform_id;
  bool active = true;
  bool has_access_token = false;
  /// When the token expires (ISO 8601, UTC); nullopt when it does not or is unknown.
  std::optional<std::string> token_expires_at;
  /// active; expiring (the token within 7 days); expired; revoked (the integration is inactive).
  std::string status;
  std::string created_at;  ///< ISO 8601, UTC
};

/// A channel account and the token to store for it (the Meta connect flow's result).
struct AccountToken {
  std::string type;
  std::string platform_id;
  std::string access_token;
  /// Seconds from now until the token expires; nullopt when it does not.
  std::optional<std::int64_t> expires_in;
};

/// Thrown when the platform id is connected already (this tenant's or another's).
class PlatformIdTaken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The SQL of a tenant's integrations, each call in a db::TenantWork of the tenant. Messaging
/// accounts live in integrations (their tokens encrypted with the cipher), Vapi phone numbers in
/// voice_integrations. The resolver and the sender look integrations up per message and ingest
/// reloads the voice ones every VOICE_REFRESH_MS, so a change needs no restart anywhere.
class IntegrationStore final {
 public:
  IntegrationStore(db::ConnectionPool& pool, const TokenCipher& cipher)
      : pool_(pool), cipher_(cipher) {}

  /// Throws PlatformIdTaken.
  IntegrationRow Create(const std::string& business_id, const std::string& type,
                        const std::string& platform_id,
                        const std::optional<std::string>& access_token) const;
  /// Creates each account's integration, or refreshes the token of the tenant's own (active
  /// again), in one transaction. Throws PlatformIdTaken when another tenant holds one: nothing
  /// is stored then.
  std::vector<IntegrationRow> Store(const std::string& business_id,
                                    const std::vector<AccountToken>& accounts) const;
  /// Messaging accounts first, then voice numbers; each oldest first.
  std::vector<IntegrationRow> List(const std::string& business_id) const;
  /// false when the tenant has no such integration.
  bool Delete(const std::string& business_id, const std::string& id) const;

 private:
  db::ConnectionPool& pool_;
  const TokenCipher& cipher_;
};

}  // namespace switchboard::admin
