#include "workers/admin/conversation_routes.hpp"

#include <pqxx/except>

#include "common/log.hpp"
#include "common/text_shapes.hpp"
#include "common/topics/replies_outbound.hpp"
#include "workers/admin/api_json.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

std::optional<std::string> OneOfQuery(const ApiRequest& request, std::string_view name,
                                      std::initializer_list<std::string_view> choices) {
  auto value = request.Query(name);
  if (!value) return std::nullopt;
  for (const auto choice : choices) {
    if (*value == choice) return value;
  }
  std::string allowed;
  for (const auto choice : choices) allowed += (allowed.empty() ? "" : ", ") + std::string(choice);
  throw ApiError::BadRequest(std::string(name) + " must be one of " + allowed);
}

bool IsCursor(std::string_view cursor) {
  const std::size_t split = cursor.find('_');
  if (split == 0 || split == std::string_view::npos || split > 18) return false;
  for (std::size_t i = 0; i < split; ++i) {
    if (cursor[i] < '0' || cursor[i] > '9') return false;
  }
  return LooksLikeUuid(cursor.substr(split + 1));
}

void WriteConversation(json::Writer& writer, const ConversationRow& conversation) {
  writer.StartObject()
      .Field("id", conversation.id)
      .Field("channel", conversation.channel)
      .Field("status", conversation.status)
      .Field("needs_human", conversation.needs_human)
      .Key("customer")
      .StartObject()
      .Field("id", conversation.customer_id)
      .Key("name");
  conversation.customer_name ? writer.String(*conversation.customer_name) : writer.Null();
  writer.Key("phone");
  conversation.customer_phone ? writer.String(*conversation.customer_phone) : writer.Null();
  writer.EndObject().Key("last_message_at");
  conversation.last_message_at ? writer.String(*conversation.last_message_at) : writer.Null();
  writer.Field("opened_at", conversation.opened_at).EndObject();
}

}  // namespace

ConversationFilter ParseConversationFilter(const ApiRequest& request) {
  ConversationFilter filter;
  filter.status = OneOfQuery(request, "status", {"ACTIVE", "HANDED_OFF", "CLOSED"});
  filter.channel = OneOfQuery(request, "channel", {"whatsapp", "instagram", "messenger", "voice"});
  if (const auto needs_human = OneOfQuery(request, "needs_human", {"true", "false"})) {
    filter.needs_human = *needs_human == "true";
  }
  filter.since = request.Query("since");
  filter.after = request.Query("cursor");
  if (filter.after && !IsCursor(*filter.after)) {
    throw ApiError::BadRequest("cursor must be a \"next\" value of an earlier page");
  }
  filter.limit = QueryLimit(request, 50, 200);
  return filter;
}

void RegisterConversationRoutes(AdminRoutes& routes, ConversationStore store,
                                ProduceAndWait produce) {
  routes.Add(
      http::verb::get, "/v1/tenants/{id}/conversations", Access::kTenant,
      [store](const ApiRequest& request) {
        const std::string tenant = PathUuid(request, "id", "tenant");
        ConversationFilter filter = ParseConversationFilter(request);
        const int limit = filter.limit;
        ++filter.limit;  // one more tells whether there is a next page
        std::vector<ConversationRow> rows;
        try {
          rows = store.List(tenant, filter);
        } catch (const pqxx::data_exception&) {
          throw ApiError::BadRequest("since must be an ISO 8601 time such as 2025-01-31T09:00:00Z");
        }
        const bool more = rows.size() > static_cast<std::size_t>(limit);
        if (more) rows.pop_back();
        json::Writer writer;
        writer.StartObject().Key("items").StartArray();
        for (const ConversationRow& row : rows) WriteConversation(writer, row);
        writer.EndArray().Key("next");
        more ? writer.String(rows.back().cursor) : writer.Null();
        writer.EndObject();
        return JsonResponse(request.http, http::status::ok, writer.Take());
      });
  routes.Add(http::verb::get, "/v1/tenants/{id}/conversations/{cid}/messages", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto messages = store.Messages(PathUuid(request, "id", "tenant"),
                                                    PathUuid(request, "cid", "conversation"),
                                                    QueryLimit(request, 100, 500));
               if (!messages) throw ApiError::NotFound("conversation not found");
               json::Writer writer;
               writer.StartObject().Key("items").StartArray();
               for (const MessageRow& message : *messages) {
                 writer.StartObject()
                     .Field("id", message.id)
                     .Field("role", message.role)
                     .Field("content", message.content)
                     .Field("channel", message.channel)
                     .Field("status", message.status)
                     .Field("created_at", message.created_at)
                     .EndObject();
               }
               writer.EndArray().EndObject();
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/conversations/{cid}/messages", Access::kTenant,
             [store, produce](const ApiRequest& request) {
               const std::string tenant = PathUuid(request, "id", "tenant");
               const std::string conversation = PathUuid(request, "cid", "conversation");
               const json::Document body = ParseJsonBody(request);
               RejectUnknownFields(body, {"text"});
               const std::string text = RequiredText(body, "text", 4096);
               const HumanReply stored = store.StoreHumanReply(tenant, conversation, text);
               switch (stored.kind) {
                 case HumanReply::Kind::kNoConversation:
                   throw ApiError::NotFound("conversation not found");
                 case HumanReply::Kind::kClosed:
                   throw ApiError::Conflict(
                       "the conversation is closed; the customer's next message opens a new one");
                 case HumanReply::Kind::kVoice:
                   throw ApiError::Conflict("a voice conversation cannot be answered in writing");
                 case HumanReply::Kind::kWindowClosed:
                   throw ApiError::Conflict(
                       "the customer's last WhatsApp message is more than 24 hours old: WhatsApp "
                       "allows free-form replies only inside that customer-service window, and "
                       "message templates are not supported yet. Nothing was sent");
                 case HumanReply::Kind::kNoRoute:
                   throw ApiError::Conflict(
                       "no active " + stored.reply.channel +
                       " account of the tenant, or no customer message to answer, to send through");
                 case HumanReply::Kind::kQueued:
                   break;
               }
               const topics::Reply& reply = stored.reply;
               if (const auto error = produce(topics::RepliesOutbound::Encode(reply))) {
                 // Stored but not queued: the message says so, and the caller may send it again.
                 store.MarkReplyFailed(tenant, reply.message_id, error->message);
                 Log(LogLevel::kError, "human reply not queued",
                     {{"business_id", tenant},
                      {"message_id", reply.message_id},
                      {"error", error->message}});
                 return ErrorResponse(request.http, http::status::service_unavailable,
                                      "unavailable", "the reply could not be queued; try again");
               }
               Log(LogLevel::kInfo, "human reply queued",
                   {{"business_id", tenant},
                    {"conversation_id", conversation},
                    {"message_id", reply.message_id},
                    {"trace_id", reply.trace_id}});
               json::Writer writer;
               writer.StartObject()
                   .Field("id", reply.message_id)
                   .Field("conversation_id", conversation)
                   .Field("role", "human")
                   .Field("status", "pending")
                   .Field("conversation_status", "HANDED_OFF")
                   .EndObject();
               return JsonResponse(request.http, http::status::accepted, writer.Take());
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/conversations/{cid}/close", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto closed = store.Close(PathUuid(request, "id", "tenant"),
                                               PathUuid(request, "cid", "conversation"));
               if (!closed) throw ApiError::NotFound("conversation not found");
               json::Writer writer;
               WriteConversation(writer, *closed);
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
}

}  // namespace switchboard::admin
