#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::ingest {

/// Topic of every signed webhook body, kept as received (schemas/webhooks.raw.schema.json).
inline constexpr std::string_view kRawTopic = "webhooks.raw";
/// Topic of normalized customer messages (schemas/messages.inbound.schema.json).
inline constexpr std::string_view kInboundTopic = "messages.inbound";
/// Topic of normalized delivery statuses (schemas/delivery.status.schema.json).
inline constexpr std::string_view kStatusTopic = "delivery.status";

/// Schema name and version of webhooks.raw values (header "schema" and field "schema").
inline constexpr std::string_view kRawSchema = "webhooks.raw/1";
/// Schema name and version of messages.inbound values.
inline constexpr std::string_view kInboundSchema = "messages.inbound/1";
/// Schema name and version of delivery.status values.
inline constexpr std::string_view kStatusSchema = "delivery.status/1";

/// What the HTTP layer knows about one delivery.
struct DeliveryContext {
  std::string trace_id;             ///< follows the delivery to every record it produces
  std::int64_t received_at_ms = 0;  ///< Unix ms when the request arrived
};

/// Splits one Meta webhook body (WhatsApp, Instagram or Messenger) into normalized records for
/// messages.inbound and delivery.status, in delivery order. An Error (never retryable) names what
/// is wrong when the body is not JSON or not a known shape; then nothing is produced, so the
/// caller dead-letters the whole delivery intact. A known shape with nothing to produce (only
/// echoes, template updates, ...) is an empty vector. Record ids are deterministic: a retried
/// delivery yields the same event ids. Never throws on bad input.
Result<std::vector<OutboundRecord>> SplitMetaDelivery(std::string_view raw_body,
                                                      const DeliveryContext& context);

/// The webhooks.raw record of a delivery: the body kept exactly as a string in a JSON envelope
/// (base64 with body_encoding "base64" if it is not UTF-8), keyed by its event id (SHA-256 of the
/// body), so a retried delivery has the same id.
OutboundRecord RawDeliveryRecord(std::string_view raw_body, const DeliveryContext& context);

/// The dead-letter record (topic "<original.topic>.dlq") for a record ingest could not process
/// and that never reached Kafka (partition and offset -1): one attempt, failed at `failed_at_ms`.
OutboundRecord DeadLetterRecord(const OutboundRecord& original, std::string_view stage,
                                std::string_view error, std::int64_t failed_at_ms);

}  // namespace switchboard::ingest
