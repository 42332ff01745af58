#pragma once

#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A webhooks.raw/1 value (schemas/webhooks.raw.schema.json): one signed webhook delivery
/// exactly as received, before any parsing.
struct RawDelivery {
  std::string event_id;     ///< WebhooksRaw::EventId of the body
  std::string source;       ///< who sent it: meta or vapi
  std::string received_at;  ///< ISO-8601 UTC with milliseconds
  std::string trace_id;
  std::string body;  ///< the HTTP body, byte for byte
};

/// The contract of topic webhooks.raw (ingest → replay and audit).
struct WebhooksRaw {
  static constexpr std::string_view kTopic = "webhooks.raw";
  static constexpr std::string_view kSchema = "webhooks.raw/1";

  /// The event id of a delivery: the SHA-256 of its body, so a retried delivery has the same id.
  static std::string EventId(std::string_view body);
  /// The key: the event id (deliveries are independent of each other).
  static std::string Key(const RawDelivery& delivery);
  /// The record: key, JSON value (the body as a string when it is UTF-8, else its base64 with
  /// body_encoding "base64"), headers event-id, schema and trace-id.
  static OutboundRecord Encode(const RawDelivery& delivery);
  /// The delivery in `record`, its body decoded back to the exact bytes; a non-retryable Error
  /// naming the member when the value is not a webhooks.raw/1 object, event_id, source or
  /// received_at is missing or empty, body is missing, or body_encoding is neither utf8 nor
  /// base64 (or the base64 is broken). trace_id falls back to the trace-id header.
  static Result<RawDelivery> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
