#include "workers/admin/integration_routes.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "workers/admin/api_json.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

void WriteIntegration(json::Writer& writer, const IntegrationRow& integration) {
  writer.StartObject()
      .Field("id", integration.id)
      .Field("type", integration.type)
      .Field("platform_id", integration.platform_id)
      .Field("active", integration.active)
      .Field("has_access_token", integration.has_access_token)
      .Field("status", integration.active ? "active" : "inactive")
      .Field("created_at", integration.created_at)
      .EndObject();
}

}  // namespace

IntegrationRequest ParseIntegrationRequest(const json::Value& body) {
  RejectUnknownFields(body, {"type", "platform_id", "access_token"});
  IntegrationRequest request;
  request.type = RequiredText(body, "type", 20);
  if (request.type != "whatsapp" && request.type != "instagram" && request.type != "messenger" &&
      request.type != "voice") {
    throw ApiError::BadRequest("type must be whatsapp, instagram, messenger or voice");
  }
  request.platform_id = RequiredText(body, "platform_id", 200);
  if (!std::all_of(request.platform_id.begin(), request.platform_id.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
      })) {
    throw ApiError::BadRequest("platform_id must be letters, digits, '-', '_' or '.'");
  }
  request.access_token = OptionalText(body, "access_token", 4096);
  if (request.type == "voice" && request.access_token) {
    throw ApiError::BadRequest("access_token: a voice integration has none");
  }
  return request;
}

void RegisterIntegrationRoutes(AdminRoutes& routes, IntegrationStore store) {
  routes.Add(http::verb::post, "/v1/tenants/{id}/integrations", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const json::Document body = ParseJsonBody(request);
               const IntegrationRequest wanted = ParseIntegrationRequest(body);
               IntegrationRow created;
               try {
                 created =
                     store.Create(tenant, wanted.type, wanted.platform_id, wanted.access_token);
               } catch (const PlatformIdTaken& e) {
                 throw ApiError::Conflict(e.what());
               }
               Log(LogLevel::kInfo, "integration created",
                   {{"business_id", tenant},
                    {"integration_id", created.id},
                    {"type", created.type},
                    {"platform_id", created.platform_id}});
               json::Writer writer;
               WriteIntegration(writer, created);
               return JsonResponse(request.http, http::status::created, writer.Take());
             });
  routes.Add(http::verb::get, "/v1/tenants/{id}/integrations", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto integrations = store.List(PathUuid(request, "id", "tenant"));
               json::Writer writer;
               writer.StartObject().Key("items").StartArray();
               for (const IntegrationRow& row : integrations) WriteIntegration(writer, row);
               writer.EndArray().EndObject();
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
  routes.Add(http::verb::delete_, "/v1/tenants/{id}/integrations/{iid}", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const std::string id = PathUuid(request, "iid", "integration");
               if (!store.Delete(tenant, id)) throw ApiError::NotFound("integration not found");
               Log(LogLevel::kInfo, "integration deleted",
                   {{"business_id", tenant}, {"integration_id", id}});
               return MakeResponse(request.http, http::status::no_content, "");
             });
}

}  // namespace switchboard::admin
