#pragma once

// The integration routes of the admin API (a tenant's channel accounts):
//   POST /v1/tenants/{id}/integrations   {type: whatsapp|instagram|messenger|voice, platform_id,
//       access_token?} -> 201 {id, type, platform_id, active, has_access_token, status,
//       created_at}; the token is stored encrypted and never shown again. A platform id that is
//       connected already (to this tenant or another): 409.
//   GET /v1/tenants/{id}/integrations    {"items": [...]}
//   DELETE /v1/tenants/{id}/integrations/{iid}   204; its messages are no longer routed
// platform_id: WhatsApp's phone_number_id, the Instagram account id, the Messenger page id, or
// Vapi's phone number id (voice; no token).

#include "common/json.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/integration_store.hpp"

namespace switchboard::admin {

/// What a create body asks for.
struct IntegrationRequest {
  std::string type;
  std::string platform_id;
  std::optional<std::string> access_token;
};

/// The create body, each field checked; ApiError 400 naming the field otherwise.
IntegrationRequest ParseIntegrationRequest(const json::Value& body);

/// Registers the integration routes.
void RegisterIntegrationRoutes(AdminRoutes& routes, IntegrationStore store);

}  // namespace switchboard::admin
