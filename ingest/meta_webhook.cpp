#include "ingest/meta_webhook.hpp"

#include <optional>

#include "common/encoding.hpp"
#include "common/json.hpp"
#include "common/topics/webhooks_raw.hpp"
#include "ingest/messaging_delivery.hpp"
#include "ingest/meta_shape.hpp"
#include "ingest/whatsapp_delivery.hpp"

namespace switchboard::ingest {

Result<std::vector<OutboundRecord>> SplitMetaDelivery(std::string_view raw_body,
                                                      const DeliveryContext& context) {
  // json::Parse is iterative, so a hostile, deeply nested body cannot exhaust the stack, and
  // refuses invalid UTF-8.
  Result<json::Document> document = json::Parse(raw_body);
  if (!document.ok()) return Error{"body is " + document.error().message};
  if (!document->IsObject()) return Error{"body is not a JSON object"};
  const std::optional<std::string_view> object = json::StringView(*document, "object");
  if (!object) return Error{"body has no \"object\" string"};
  try {
    if (*object == "whatsapp_business_account") {
      return SplitWhatsAppDelivery(*document, raw_body, context);
    }
    if (*object == "instagram") return SplitMessagingDelivery(*document, "instagram", context);
    if (*object == "page") return SplitMessagingDelivery(*document, "messenger", context);
  } catch (const ShapeError& error) {
    return Error{error.message};
  }
  return Error{"unknown object '" + std::string(*object) + "'"};
}

OutboundRecord RawDeliveryRecord(std::string_view raw_body, const DeliveryContext& context) {
  return topics::WebhooksRaw::Encode({.event_id = topics::WebhooksRaw::EventId(raw_body),
                                      .source = "meta",
                                      .received_at = FormatUtcMillis(context.received_at_ms),
                                      .trace_id = context.trace_id,
                                      .body = std::string(raw_body)});
}

}  // namespace switchboard::ingest
