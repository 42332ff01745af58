#pragma once

// The integration routes of the admin API (a tenant's channel accounts):
//   POST /v1/tenants/{id}/integrations   {type: whatsapp|instagram|messenger|voice, platform_id,
//       access_token?} -> 201 {id, type, platform_id, active, has_access_token, status,
//       created_at}; the token is stored encrypted and never shown again. A platform id that is
//       connected already (to this tenant or another): 409.
//   GET /v1/tenants/{id}/integrations    {"items": [...]}
//   DELETE /v1/tenants/{id}/integrations/{iid}   204; its messages are no longer routed
//   POST /v1/tenants/{id}/integrations/meta/connect   {code, redirect_uri} -> 201 {"items":[...]}:
//       Meta's OAuth flow (workers/admin/meta_connect.hpp); every WhatsApp number, Page and
//       Instagram account the login grants becomes an integration with its token encrypted and
//       its expiry stored, its webhooks subscribed. 400 when Meta refuses the code, 409 when an
//       account belongs to another tenant or none was granted, 502 when Graph fails, 503 without
//       META_APP_ID.
// status: active, expiring (the token within 7 days), expired, revoked (inactive).
// platform_id: WhatsApp's phone_number_id, the Instagram account id, the Messenger page id, or
// Vapi's phone number id (voice; no token).

#include "common/json.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/integration_store.hpp"
#include "workers/admin/meta_connect.hpp"

namespace switchboard::admin {

/// What a create body asks for.
struct IntegrationRequest {
  std::string type;
  std::string platform_id;
  std::optional<std::string> access_token;
};

/// The create body, each field checked; ApiError 400 naming the field otherwise.
IntegrationRequest ParseIntegrationRequest(const json::Value& body);

/// Registers the integration routes; the connect flow uses `meta` (nullopt: 503) through `fetch`.
void RegisterIntegrationRoutes(AdminRoutes& routes, IntegrationStore store,
                               std::optional<MetaApp> meta, GraphFetch fetch);

}  // namespace switchboard::admin
