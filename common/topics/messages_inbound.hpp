#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/topics/platform_errors.hpp"

namespace switchboard::topics {

/// WhatsApp media (fetched later by id) or a Messenger/Instagram attachment payload (url).
struct InboundMedia {
  std::optional<std::string> id;
  std::optional<std::string> url;
  std::optional<std::string> mime_type;
  std::optional<std::string> sha256;
  std::optional<std::string> caption;
  std::optional<std::string> filename;
};

/// A shared location.
struct InboundLocation {
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::optional<std::string> name;  ///< place name
  std::optional<std::string> address;
  std::optional<std::string> url;
};

/// One Messenger/Instagram attachment.
struct InboundAttachment {
  std::optional<std::string> type;
  std::optional<std::string> url;  ///< payload.url
};

/// The choice a customer made: a reply button, a list row, a quick reply or a postback.
struct InboundChoice {
  std::string type;  ///< button_reply, list_reply, nfm_reply, button, quick_reply or postback
  std::optional<std::string> id;     ///< the id or payload we attached to the choice
  std::optional<std::string> title;  ///< what the customer saw
  std::optional<std::string> description;
};

/// A reaction to a message.
struct InboundReaction {
  std::optional<std::string> message_id;  ///< the message reacted to
  std::optional<std::string> emoji;       ///< absent or empty: the reaction was removed
  std::optional<std::string> action;      ///< Messenger/Instagram: react or unreact
};

/// A messages.inbound/1 value (schemas/messages.inbound.schema.json): one customer message,
/// normalized by ingest. Optional members the platform sent are kept as sent, empty or not;
/// absent ones are nullopt (or, for the members marked so, empty).
struct InboundMessage {
  std::string event_id;
  std::string channel;  ///< whatsapp, instagram or messenger
  std::string channel_account_id;
  std::string sender_id;
  std::optional<std::string> sender_name;
  std::string sender_phone;  ///< E.164 "+<digits>" (WhatsApp); empty when absent
  std::optional<std::string> platform_message_id;
  std::string sent_at;  ///< ISO-8601 UTC; empty when absent
  std::string received_at;
  std::optional<std::string> reply_to;
  /// Another app owns the thread (Messenger handover): nobody may answer.
  bool standby = false;
  std::string type;                          ///< text, image, ..., postback, or unsupported
  std::optional<std::string> original_type;  ///< the platform's type when type is unsupported
  std::optional<std::string> text;
  std::optional<InboundMedia> media;
  std::optional<InboundLocation> location;
  std::vector<InboundAttachment> attachments;  ///< Messenger/Instagram; empty when absent
  /// WhatsApp shared contacts: the array as sent, as JSON text (cut at kFreeFormDepth levels);
  /// empty when absent.
  std::string contacts_json;
  std::optional<InboundChoice> interactive;
  std::optional<InboundReaction> reaction;
  std::vector<PlatformError> errors;  ///< empty when absent
  std::string trace_id;
};

/// The contract of topic messages.inbound (ingest → resolver).
struct MessagesInbound {
  static constexpr std::string_view kTopic = "messages.inbound";
  static constexpr std::string_view kSchema = "messages.inbound/1";
  /// Free-form parts (contacts) are copied through down to this many levels; deeper ones are
  /// null.
  static constexpr int kFreeFormDepth = 8;

  /// The event id of the message the platform calls `platform_message_id` on `channel`: the same
  /// each time the platform delivers it.
  static std::string EventId(std::string_view channel, std::string_view platform_message_id);
  /// The event id of a Messenger/Instagram reaction (it has no id of its own): who reacted to
  /// what, how, and when (`timestamp`, the platform's Unix ms as decimal text).
  static std::string ReactionEventId(std::string_view channel, std::string_view account,
                                     std::string_view sender, std::string_view message_id,
                                     std::string_view action, std::string_view timestamp);
  /// The event id of a Messenger/Instagram postback that has no mid: who pressed what, and when.
  static std::string PostbackEventId(std::string_view channel, std::string_view account,
                                     std::string_view sender, std::string_view payload,
                                     std::string_view timestamp);
  /// The key: the conversation key of channel, account and sender, known without a database.
  static std::string Key(const InboundMessage& message);
  /// The record: key, JSON value, headers event-id, schema and trace-id (no tenant: it is not
  /// known yet).
  static OutboundRecord Encode(const InboundMessage& message);
  /// The message in `record`; a non-retryable Error naming the member when the value is not a
  /// messages.inbound/1 object, event_id, channel, channel_account_id, sender_id, received_at or
  /// type is missing or empty, or the channel is not one we serve. Mistyped optional parts read
  /// as absent. trace_id falls back to the trace-id header.
  static Result<InboundMessage> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
