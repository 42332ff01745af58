#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/topics/platform_errors.hpp"

namespace switchboard::topics {

/// A delivery.status/1 value (schemas/delivery.status.schema.json): what happened to a message we
/// sent, or a system-level error of a channel account (status "error", no message, no
/// recipient). Optional members absent are nullopt, or empty where marked so.
struct StatusEvent {
  std::string event_id;
  std::string channel;  ///< whatsapp, instagram or messenger
  std::string channel_account_id;
  /// Our message; absent for watermark-only events and system errors.
  std::optional<std::string> platform_message_id;
  std::string status;        ///< sent, delivered, read, failed, or error
  std::string recipient_id;  ///< the customer; empty for system errors
  std::string timestamp;     ///< the platform's time of the event, ISO-8601; empty when absent
  std::string watermark;     ///< Messenger/Instagram: everything before is delivered/read; or empty
  std::string received_at;
  std::vector<PlatformError> errors;  ///< empty when absent
  /// WhatsApp conversation and pricing: as sent, as JSON text (cut at kFreeFormDepth levels);
  /// empty when absent.
  std::string conversation_json;
  std::string pricing_json;
  std::optional<std::string> biz_opaque_callback_data;  ///< what we attached when sending
  std::string trace_id;
};

/// The contract of topic delivery.status (ingest → sender).
struct DeliveryStatus {
  static constexpr std::string_view kTopic = "delivery.status";
  static constexpr std::string_view kSchema = "delivery.status/1";
  /// Free-form parts (conversation, pricing) are copied through down to this many levels;
  /// deeper ones are null.
  static constexpr int kFreeFormDepth = 8;

  /// The event id of `status` of our message `platform_message_id` reported at `when` (the
  /// platform's timestamp or watermark, as text): one message's statuses are different events,
  /// and the same report delivered again is the same event.
  static std::string EventId(std::string_view channel, std::string_view platform_message_id,
                             std::string_view status, std::string_view when);
  /// The event id of a watermark-only `status` (no message ids) of `recipient` at `watermark`.
  static std::string WatermarkEventId(std::string_view channel, std::string_view account,
                                      std::string_view recipient, std::string_view status,
                                      std::string_view watermark);
  /// The event id of a system-level error of `account`, which has no id of its own: the
  /// delivery's digest and the error's position in it tell one apart.
  static std::string SystemErrorEventId(std::string_view channel, std::string_view account,
                                        std::string_view delivery_digest,
                                        std::string_view position);
  /// The key: the conversation key of channel, account and recipient; "<channel>:<account>"
  /// for a system error, which has no recipient.
  static std::string Key(const StatusEvent& event);
  /// The record: key, JSON value, headers event-id, schema and trace-id.
  static OutboundRecord Encode(const StatusEvent& event);
  /// The event in `record`; a non-retryable Error naming the member when the value is not a
  /// delivery.status/1 object or event_id, channel, channel_account_id or status is missing or
  /// empty. Mistyped optional parts read as absent. trace_id falls back to the trace-id header.
  static Result<StatusEvent> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
