#pragma once

// The appointment routes of the admin API:
//   GET /v1/tenants/{id}/appointments?from=&to=   {"items":[{id, customer:{id,name,phone},
//       service:{id,name}|null, starts_at, ends_at, status, notes}]}: starting in [from, to)
//       (ISO 8601; from defaults to now, to to no end), earliest first, at most 500
//   POST /v1/tenants/{id}/appointments/{aid}/cancel   the appointment, cancelled; its slot is
//       free again

#include "workers/admin/admin_routes.hpp"
#include "workers/admin/appointment_store.hpp"

namespace switchboard::admin {

/// Registers the appointment routes.
void RegisterAppointmentRoutes(AdminRoutes& routes, AppointmentStore store);

}  // namespace switchboard::admin
