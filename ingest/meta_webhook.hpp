#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::ingest {

/// What the HTTP layer knows about one delivery.
struct DeliveryContext {
  std::string trace_id;             ///< follows the delivery to every record it produces
  std::int64_t received_at_ms = 0;  ///< Unix ms when the request arrived
};

/// Splits one Meta webhook body (WhatsApp, Instagram or Messenger) into normalized records for
/// messages.inbound and delivery.status (common/topics/), in delivery order. An Error (never
/// retryable) names what is wrong when the body is not JSON or not a known shape; then nothing is
/// produced, so the caller dead-letters the whole delivery intact. A known shape with nothing to
/// produce (only echoes, template updates, ...) is an empty vector. Record ids are deterministic:
/// a retried delivery yields the same event ids. Never throws on bad input.
Result<std::vector<OutboundRecord>> SplitMetaDelivery(std::string_view raw_body,
                                                      const DeliveryContext& context);

/// The webhooks.raw record of a Meta delivery (topics::WebhooksRaw, source "meta"): the body kept
/// exactly, keyed by its event id (SHA-256 of the body), so a retried delivery has the same id.
OutboundRecord RawDeliveryRecord(std::string_view raw_body, const DeliveryContext& context);

}  // namespace switchboard::ingest
