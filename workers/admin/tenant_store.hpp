#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/hmac.hpp"

namespace switchboard::admin {

/// A tenant (a businesses row) as the admin API shows it. opening_hours and settings are JSON
/// object texts.
struct Tenant {
  std::string id;
  std::string name;
  std::string slug;
  std::string timezone;
  std::string language;
  std::string opening_hours;
  std::string settings;
  std::string plan;
  std::int64_t monthly_message_limit = 0;
  std::int64_t monthly_voice_minutes_limit = 0;
  bool active = true;
  std::string created_at;  ///< ISO 8601, UTC
};

/// One month of a tenant's usage (usage_counters) and its limits.
struct MonthUsage {
  std::string month;  ///< YYYY-MM
  std::int64_t messages = 0;
  std::int64_t llm_tokens = 0;
  std::int64_t voice_seconds = 0;
  std::int64_t monthly_message_limit = 0;
  std::int64_t monthly_voice_minutes_limit = 0;
};

/// A line of the platform admin's tenant list.
struct TenantSummary {
  std::string id;
  std::string name;
  std::string slug;
  std::string language;
  std::string timezone;
  bool active = true;
  std::string created_at;  ///< ISO 8601, UTC
  std::int64_t messages_this_month = 0;
  std::int64_t monthly_message_limit = 0;
};

/// What a create or patch sets; an absent field keeps its value (or the column's default).
struct TenantFields {
  std::optional<std::string> name;
  std::optional<std::string> timezone;
  std::optional<std::string> language;
  std::optional<std::string> opening_hours;
  std::optional<std::string> settings;
};

/// The SQL of tenants and their API keys, on the application role under row-level security: each
/// statement runs in a db::TenantWork of the tenant it reads or writes. Cheap to copy (it refers
/// to the pool).
class TenantStore final {
 public:
  explicit TenantStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Inserts a tenant with a fresh id, the slug `slug_base`-<first 8 characters of the id> and
  /// the API key hash `key_hash` of the key `make_key` returns for that id; returns it and the
  /// key. Throws pqxx errors.
  struct Created {
    Tenant tenant;
    std::string api_key;
  };
  template <typename MakeKey>
  Created Create(const TenantFields& fields, const std::string& slug_base, MakeKey make_key) const {
    const std::string id = NewId();
    std::string key = make_key(id);
    return {Insert(id, fields, slug_base, Sha256(key)), std::move(key)};
  }

  /// The tenant, active or not; nullopt when there is none with this id.
  std::optional<Tenant> Find(const std::string& id) const;
  /// The newest `limit` tenants, across tenants (migration 0014's admin_tenants(): for the
  /// platform admin only).
  std::vector<TenantSummary> List(int limit) const;
  /// Whether a tenant (active or not) has this id.
  bool Exists(const std::string& id) const;
  /// The counters of `month` (YYYY-MM; zero when nothing was counted) and the limits; nullopt
  /// when there is no tenant `id`.
  std::optional<MonthUsage> Usage(const std::string& id, const std::string& month) const;
  /// Sets the given fields; nullopt when there is no such tenant.
  std::optional<Tenant> Update(const std::string& id, const TenantFields& fields) const;
  /// Marks the tenant inactive (kept as is when it was already); nullopt when there is none.
  std::optional<Tenant> Deactivate(const std::string& id) const;
  /// Replaces the API key hash of an active tenant; false when there is no active tenant `id`.
  bool SetApiKeyHash(const std::string& id, const Sha256Digest& hash) const;
  /// The API key hash of the active tenant `id`; nullopt when there is none or it has no key.
  std::optional<Sha256Digest> ApiKeyHash(const std::string& id) const;

 private:
  std::string NewId() const;
  Tenant Insert(const std::string& id, const TenantFields& fields, const std::string& slug_base,
                const Sha256Digest& key_hash) const;

  db::ConnectionPool& pool_;
};

}  // namespace switchboard::admin
