#include "workers/admin/appointment_routes.hpp"

#include <pqxx/except>

#include "common/log.hpp"
#include "workers/admin/api_json.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

void WriteNullable(json::Writer& writer, std::string_view key,
                   const std::optional<std::string>& text) {
  writer.Key(key);
  text ? writer.String(*text) : writer.Null();
}

void WriteAppointment(json::Writer& writer, const AppointmentRow& appointment) {
  writer.StartObject().Field("id", appointment.id).Key("customer").StartObject();
  writer.Field("id", appointment.customer_id);
  WriteNullable(writer, "name", appointment.customer_name);
  WriteNullable(writer, "phone", appointment.customer_phone);
  writer.EndObject().Key("service");
  if (appointment.service_id) {
    writer.StartObject().Field("id", *appointment.service_id);
    WriteNullable(writer, "name", appointment.service_name);
    writer.EndObject();
  } else {
    writer.Null();
  }
  writer.Field("starts_at", appointment.starts_at)
      .Field("ends_at", appointment.ends_at)
      .Field("status", appointment.status)
      .Field("notes", appointment.notes)
      .EndObject();
}

}  // namespace

void RegisterAppointmentRoutes(AdminRoutes& routes, AppointmentStore store) {
  routes.Add(http::verb::get, "/v1/tenants/{id}/appointments", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               std::vector<AppointmentRow> rows;
               try {
                 rows = store.List(tenant, request.Query("from").value_or("now"),
                                   request.Query("to").value_or("infinity"));
               } catch (const pqxx::data_exception&) {
                 throw ApiError::BadRequest(
                     "from and to must be ISO 8601 times such as 2025-01-31T09:00:00Z");
               }
               json::Writer writer;
               writer.StartObject().Key("items").StartArray();
               for (const AppointmentRow& row : rows) WriteAppointment(writer, row);
               writer.EndArray().EndObject();
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/appointments/{aid}/cancel", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const auto cancelled = store.Cancel(tenant, PathUuid(request, "aid", "appointment"));
               if (!cancelled) throw ApiError::NotFound("appointment not found");
               Log(LogLevel::kInfo, "appointment cancelled through the admin API",
                   {{"business_id", tenant}, {"appointment_id", cancelled->id}});
               json::Writer writer;
               WriteAppointment(writer, *cancelled);
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
}

}  // namespace switchboard::admin
