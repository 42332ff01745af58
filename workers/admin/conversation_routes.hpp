#pragma once

// The conversation routes of the admin API:
//   GET /v1/tenants/{id}/conversations?status=&channel=&needs_human=&since=&limit=&cursor=
//       {"items":[{id, channel, status, needs_human, customer:{id,name,phone}, last_message_at,
//       opened_at}], "next"}: newest opened first; "next" is the cursor of the next page or null
//   GET /v1/tenants/{id}/conversations/{cid}/messages?limit=   {"items":[...]}, oldest first
//   POST /v1/tenants/{id}/conversations/{cid}/messages {text} -> 202: a person's reply, stored
//       with role human, the conversation HANDED_OFF (the agent stays silent), and sent by the
//       sender through replies.outbound like every reply. 409 when it cannot be sent: closed,
//       voice, WhatsApp outside the 24-hour customer-service window (no templates yet), or no
//       account or recipient to send through. Nothing is queued then.
//   POST /v1/tenants/{id}/conversations/{cid}/close   CLOSED, needs_human cleared; the
//       customer's next message opens a new conversation that the agent answers.

#include <functional>
#include <optional>

#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/conversation_store.hpp"

namespace switchboard::admin {

/// Produces one record and waits for the broker's acknowledgement; the error when it failed.
using ProduceAndWait = std::function<std::optional<Error>(const OutboundRecord& record)>;

/// The list filter of a conversations request's query; ApiError 400 naming the parameter.
ConversationFilter ParseConversationFilter(const ApiRequest& request);

/// Registers the conversation routes.
void RegisterConversationRoutes(AdminRoutes& routes, ConversationStore store,
                                ProduceAndWait produce);

}  // namespace switchboard::admin
