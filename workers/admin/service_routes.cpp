#include "workers/admin/service_routes.hpp"

#include <algorithm>

#include "workers/admin/api_json.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

void WriteService(json::Writer& writer, const ServiceRow& service) {
  writer.StartObject()
      .Field("id", service.id)
      .Field("name", service.name)
      .Field("duration_minutes", service.duration_minutes)
      .Field("price_cents", service.price_cents)
      .Field("currency", service.currency)
      .Field("description", service.description)
      .Field("active", service.active)
      .EndObject();
}

HttpResponse ServiceResponse(const ApiRequest& request, http::status status,
                             const ServiceRow& service) {
  json::Writer writer;
  WriteService(writer, service);
  return JsonResponse(request.http, status, writer.Take());
}

}  // namespace

ServiceFields ParseServiceFields(const json::Value& body, bool creating) {
  RejectUnknownFields(
      body, {"name", "duration_minutes", "price_cents", "currency", "description", "active"});
  ServiceFields fields;
  fields.name = creating ? RequiredText(body, "name", 200) : OptionalText(body, "name", 200);
  fields.duration_minutes = OptionalInteger(body, "duration_minutes", 1, 24 * 60);
  if (creating && !fields.duration_minutes) {
    throw ApiError::BadRequest("duration_minutes is required");
  }
  fields.price_cents = OptionalInteger(body, "price_cents", 0, 100'000'000'00);
  fields.currency = OptionalText(body, "currency", 3);
  if (fields.currency && (fields.currency->size() != 3 ||
                          !std::all_of(fields.currency->begin(), fields.currency->end(),
                                       [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    throw ApiError::BadRequest("currency must be an ISO 4217 code such as EUR");
  }
  const json::Value* description = json::Find(body, "description");
  if (description != nullptr && !description->IsNull()) {
    // May be empty, unlike the other texts.
    auto text = json::String(body, "description");
    if (!text || text->size() > 2000) {
      throw ApiError::BadRequest("description must be a string of at most 2000 bytes");
    }
    fields.description = std::move(text);
  }
  fields.active = OptionalBool(body, "active");
  if (!creating && !fields.name && !fields.duration_minutes && !fields.price_cents &&
      !fields.currency && !fields.description && !fields.active) {
    throw ApiError::BadRequest(
        "nothing to change: give name, duration_minutes, price_cents, currency, description or "
        "active");
  }
  return fields;
}

void RegisterServiceRoutes(AdminRoutes& routes, ServiceStore store) {
  routes.Add(http::verb::post, "/v1/tenants/{id}/services", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const json::Document body = ParseJsonBody(request);
               try {
                 return ServiceResponse(request, http::status::created,
                                        store.Create(tenant, ParseServiceFields(body, true)));
               } catch (const DuplicateName& e) {
                 throw ApiError::Conflict(e.what());
               }
             });
  routes.Add(http::verb::get, "/v1/tenants/{id}/services", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto services = store.List(PathUuid(request, "id", "tenant"));
               json::Writer writer;
               writer.StartObject().Key("items").StartArray();
               for (const ServiceRow& service : services) WriteService(writer, service);
               writer.EndArray().EndObject();
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
  routes.Add(http::verb::patch, "/v1/tenants/{id}/services/{sid}", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const std::string id = PathUuid(request, "sid", "service");
               const json::Document body = ParseJsonBody(request);
               std::optional<ServiceRow> service;
               try {
                 service = store.Update(tenant, id, ParseServiceFields(body, false));
               } catch (const DuplicateName& e) {
                 throw ApiError::Conflict(e.what());
               }
               if (!service) throw ApiError::NotFound("service not found");
               return ServiceResponse(request, http::status::ok, *service);
             });
  routes.Add(
      http::verb::delete_, "/v1/tenants/{id}/services/{sid}", Access::kTenant,
      [store](const ApiRequest& request) {
        if (!store.Delete(PathUuid(request, "id", "tenant"), PathUuid(request, "sid", "service"))) {
          throw ApiError::NotFound("service not found");
        }
        return MakeResponse(request.http, http::status::no_content, "");
      });
}

}  // namespace switchboard::admin
