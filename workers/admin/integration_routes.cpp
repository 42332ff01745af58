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
      .Key("token_expires_at");
  integration.token_expires_at ? writer.String(*integration.token_expires_at) : writer.Null();
  writer.Field("status", integration.status)
      .Field("created_at", integration.created_at)
      .EndObject();
}

HttpResponse Integrations(const ApiRequest& request, http::status status,
                          const std::vector<IntegrationRow>& integrations) {
  json::Writer writer;
  writer.StartObject().Key("items").StartArray();
  for (const IntegrationRow& row : integrations) WriteIntegration(writer, row);
  writer.EndArray().EndObject();
  return JsonResponse(request.http, status, writer.Take());
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

void RegisterIntegrationRoutes(AdminRoutes& routes, IntegrationStore store,
                               std::optional<MetaApp> meta, GraphFetch fetch) {
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
               return Integrations(request, http::status::ok,
                                   store.List(PathUuid(request, "id", "tenant")));
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/integrations/meta/connect", Access::kTenant,
             [store, meta, fetch](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const json::Document body = ParseJsonBody(request);
               RejectUnknownFields(body, {"code", "redirect_uri"});
               const std::string code = RequiredText(body, "code", 2048);
               const std::string redirect_uri = RequiredText(body, "redirect_uri", 2048);
               if (!redirect_uri.starts_with("https://") && !redirect_uri.starts_with("http://")) {
                 throw ApiError::BadRequest("redirect_uri must be the http(s) URL the login used");
               }
               if (!meta) {
                 throw ApiError(http::status::service_unavailable, "unavailable",
                                "the Meta connect flow is not configured (META_APP_ID)");
               }
               const auto granted = ConnectMeta(*meta, code, redirect_uri, fetch);
               if (!granted.ok()) {
                 Log(LogLevel::kWarning, "meta connect failed",
                     {{"business_id", tenant}, {"error", granted.error().message}});
                 if (granted.error().code_refused) {
                   throw ApiError::BadRequest(
                       "code: Meta refused it (expired, used already, or "
                       "another redirect_uri)");
                 }
                 throw ApiError(http::status::bad_gateway, "bad_gateway",
                                "Meta's Graph API failed: " + granted.error().message);
               }
               if (granted->empty()) {
                 throw ApiError::Conflict(
                     "the login granted no WhatsApp number, Facebook Page or Instagram account");
               }
               std::vector<AccountToken> accounts;
               for (const GrantedAccount& account : *granted) {
                 accounts.push_back(
                     {account.type, account.platform_id, account.access_token, account.expires_in});
               }
               std::vector<IntegrationRow> stored;
               try {
                 stored = store.Store(tenant, accounts);
               } catch (const PlatformIdTaken& e) {
                 throw ApiError::Conflict(e.what());
               }
               Log(LogLevel::kInfo, "meta accounts connected",
                   {{"business_id", tenant}, {"integrations", static_cast<int>(stored.size())}});
               return Integrations(request, http::status::created, stored);
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
