#pragma once

// The tenant routes of the admin API and the tenant API keys:
//   GET /v1/tenants?limit=              (platform) {"items":[{id, name, slug, language, timezone,
//                                       active, created_at, messages_this_month,
//                                       monthly_message_limit}]}, newest first (limit 1-1000, 200)
//   POST /v1/tenants                    (platform) {name, timezone, language, opening_hours?,
//                                       settings?} -> 201 the tenant and its api_key (shown once)
//   GET, PATCH /v1/tenants/{id}         the tenant; PATCH sets the fields given
//   POST /v1/tenants/{id}/deactivate    (platform) its channels stop being answered; data kept
//   POST /v1/tenants/{id}/api-key       a new API key (shown once); the old one stops working
//   GET /v1/tenants/{id}/usage?month=YYYY-MM   {month, messages, llm_tokens, voice_seconds,
//                                       limits:{monthly_messages, monthly_voice_minutes}}; the
//                                       current month (UTC) without `month`
// An API key is "sbk_<tenant id>_<64 hex digits>"; only its SHA-256 is stored.

#include <optional>
#include <string>
#include <string_view>

#include "common/json.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/tenant_store.hpp"

namespace switchboard::admin {

/// A new API key of tenant `business_id` (32 random bytes from OpenSSL's CSPRNG).
std::string NewApiKey(std::string_view business_id);

/// The tenant an API key names, when it has the key's shape; nullopt otherwise. Says nothing
/// about whether the key is valid.
std::optional<std::string> ApiKeyTenant(std::string_view key);

/// Tenant API keys checked against the stored hashes (constant-time), and tenant ids against the
/// tenants, for AdminRoutes.
TenantDirectory MakeTenantDirectory(TenantStore store);

/// The fields of a create (`creating`: name, timezone and language required) or patch body, each
/// checked (timezone an IANA zone, language an ISO 639-1 code, opening_hours the stored weekly
/// form); ApiError 400 naming the field otherwise.
TenantFields ParseTenantFields(const json::Value& body, bool creating);

/// The slug base of a tenant name: lower-case ASCII letters and digits, other runs as '-'.
std::string SlugBase(std::string_view name);

/// The tenant as the API shows it (never its API key or its hash).
void WriteTenant(json::Writer& writer, const Tenant& tenant);

/// Whether `month` is YYYY-MM with a month from 01 to 12.
bool IsMonth(std::string_view month);

/// Registers the tenant routes.
void RegisterTenantRoutes(AdminRoutes& routes, TenantStore store);

}  // namespace switchboard::admin
