#include "workers/admin/knowledge_routes.hpp"

#include "common/log.hpp"
#include "workers/admin/api_json.hpp"
#include "workers/admin/knowledge_text.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

void WriteItem(json::Writer& writer, const KnowledgeItem& item) {
  writer.StartObject()
      .Field("id", item.id)
      .Field("title", item.title)
      .Field("format", item.format)
      .Field("chunks", static_cast<std::int64_t>(item.chunks))
      .Field("created_at", item.created_at)
      .EndObject();
}

HttpResponse ItemResponse(const ApiRequest& request, http::status status,
                          const KnowledgeItem& item) {
  json::Writer writer;
  WriteItem(writer, item);
  return JsonResponse(request.http, status, writer.Take());
}

}  // namespace

void RegisterKnowledgeRoutes(AdminRoutes& routes, KnowledgeStore store) {
  routes.Add(http::verb::post, "/v1/tenants/{id}/knowledge", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const json::Document body = ParseJsonBody(request);
               RejectUnknownFields(body, {"title", "content", "format"});
               const std::string title = RequiredText(body, "title", 300);
               const std::string content = RequiredText(body, "content", 2 * 1024 * 1024);
               const auto format = ParseDocumentFormat(RequiredText(body, "format", 20));
               if (!format) throw ApiError::BadRequest("format must be text, markdown or html");
               const std::string text = KnowledgeText(content, *format);
               if (text.empty()) throw ApiError::BadRequest("content has no text");
               const KnowledgeItem item =
                   store.Create(tenant, title, text, std::string(FormatName(*format)));
               Log(LogLevel::kInfo, "knowledge document stored",
                   {{"business_id", tenant},
                    {"item_id", item.id},
                    {"chunks", static_cast<std::int64_t>(item.chunks)}});
               return ItemResponse(request, http::status::created, item);
             });
  routes.Add(http::verb::get, "/v1/tenants/{id}/knowledge", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto items = store.List(PathUuid(request, "id", "tenant"));
               json::Writer writer;
               writer.StartObject().Key("items").StartArray();
               for (const KnowledgeItem& item : items) WriteItem(writer, item);
               writer.EndArray().EndObject();
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
  routes.Add(http::verb::delete_, "/v1/tenants/{id}/knowledge/{kid}", Access::kTenant,
             [store](const ApiRequest& request) {
               if (!store.Delete(PathUuid(request, "id", "tenant"),
                                 PathUuid(request, "kid", "knowledge document"))) {
                 throw ApiError::NotFound("knowledge document not found");
               }
               return MakeResponse(request.http, http::status::no_content, "");
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/knowledge/{kid}/reindex", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto item = store.Reindex(PathUuid(request, "id", "tenant"),
                                               PathUuid(request, "kid", "knowledge document"));
               if (!item) throw ApiError::NotFound("knowledge document not found");
               return ItemResponse(request, http::status::ok, *item);
             });
}

}  // namespace switchboard::admin
