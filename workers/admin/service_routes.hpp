#pragma once

// The service routes of the admin API (a tenant's services: what it books and what it costs):
//   POST /v1/tenants/{id}/services        {name, duration_minutes, price_cents?, currency?,
//                                          description?, active?} -> 201 the service
//   GET /v1/tenants/{id}/services         {"items": [...]}
//   PATCH, DELETE /v1/tenants/{id}/services/{sid}
// A name the tenant uses already: 409.

#include "common/json.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/service_store.hpp"

namespace switchboard::admin {

/// The fields of a create (`creating`: name and duration_minutes required) or patch body;
/// ApiError 400 naming the field otherwise.
ServiceFields ParseServiceFields(const json::Value& body, bool creating);

/// Registers the service routes.
void RegisterServiceRoutes(AdminRoutes& routes, ServiceStore store);

}  // namespace switchboard::admin
