#include "ingest/messaging_delivery.hpp"

#include <optional>
#include <string>

#include "common/encoding.hpp"
#include "common/topics/delivery_status.hpp"
#include "common/topics/messages_inbound.hpp"
#include "ingest/meta_shape.hpp"

namespace switchboard::ingest {
namespace {

using topics::DeliveryStatus;
using topics::InboundMessage;
using topics::MessagesInbound;

/// Our message type for a Messenger/Instagram attachment type; nullopt when we have none.
std::optional<std::string_view> AttachmentMessageType(std::string_view attachment_type) {
  if (attachment_type == "image" || attachment_type == "video" || attachment_type == "audio" ||
      attachment_type == "location") {
    return attachment_type;
  }
  if (attachment_type == "file") return "document";
  return std::nullopt;
}

std::optional<topics::InboundLocation> AttachmentLocation(const json::Value& payload) {
  const json::Value* coordinates = json::Find(payload, "coordinates");
  if (coordinates == nullptr || !coordinates->IsObject()) return std::nullopt;
  return topics::InboundLocation{.latitude = json::Number(*coordinates, "lat"),
                                 .longitude = json::Number(*coordinates, "long"),
                                 .name = OptionalString(payload, "title")};
}

/// type, media or location, and attachments[] from message.attachments[] (the first decides).
void ReadAttachments(const json::Value& attachments, InboundMessage& message) {
  const json::Value& first = attachments[0];
  const std::string_view attachment_type = json::StringView(first, "type").value_or("");
  const std::optional<std::string_view> type = AttachmentMessageType(attachment_type);
  message.type = std::string(type.value_or("unsupported"));
  if (!type) message.original_type = std::string(attachment_type);
  if (const json::Value* payload = json::Find(first, "payload")) {
    if (type == "location") {
      message.location = AttachmentLocation(*payload);
    } else {
      message.media = MediaOf(*payload);
    }
  }
  for (const json::Value& attachment : attachments.GetArray()) {
    const json::Value* payload = json::Find(attachment, "payload");
    message.attachments.push_back(
        {.type = OptionalString(attachment, "type"),
         .url = payload != nullptr ? OptionalString(*payload, "url") : std::nullopt});
  }
}

/// text, type and the type's members of a message event.
void ReadMessageContent(const json::Value& message, InboundMessage& inbound) {
  inbound.text = OptionalString(message, "text");
  const json::Value* attachments = json::Find(message, "attachments");
  const json::Value* quick_reply = json::Find(message, "quick_reply");
  if (attachments != nullptr && attachments->IsArray() && !attachments->Empty()) {
    ReadAttachments(*attachments, inbound);
  } else if (quick_reply != nullptr && quick_reply->IsObject()) {
    inbound.type = "interactive";
    inbound.interactive = topics::InboundChoice{.type = "quick_reply",
                                                .id = OptionalString(*quick_reply, "payload"),
                                                .title = inbound.text};
  } else if (json::Find(message, "text") != nullptr) {
    inbound.type = "text";
  } else {
    inbound.type = "unsupported";
    inbound.original_type = "message";
  }
}

/// Where an event came from.
struct MessagingScope {
  std::string_view channel;
  std::optional<std::string_view> entry_id;
  bool standby = false;
};

/// The sender and account of an event, and its time.
struct MessagingParties {
  std::string_view sender_id;
  std::string_view account_id;
  std::optional<std::int64_t> timestamp_ms;
};

/// Walks one delivery and collects its records.
class MessagingSplitter final {
 public:
  MessagingSplitter(std::string_view channel, const DeliveryContext& context)
      : channel_(channel),
        trace_id_(context.trace_id),
        received_at_(FormatUtcMillis(context.received_at_ms)) {}

  void Split(const json::Value& root) {
    const JsonPath path;
    ForEachItem(root, "entry", path, [&](const json::Value& entry, const JsonPath& entry_path) {
      const std::optional<std::string_view> entry_id = json::StringView(entry, "id");
      for (const char* list : {"messaging", "standby"}) {
        const bool standby = std::string_view(list) == "standby";
        ForEachItem(entry, list, entry_path, [&](const json::Value& event, const JsonPath& at) {
          SplitEvent(event, {channel_, entry_id, standby}, at);
        });
      }
    });
  }

  std::vector<OutboundRecord> TakeRecords() { return std::move(records_); }

 private:
  void SplitEvent(const json::Value& event, const MessagingScope& scope, const JsonPath& path) {
    const json::Value* sender = json::Find(event, "sender");
    if (sender == nullptr) ThrowShape(path, "has no sender");
    const json::Value* recipient = json::Find(event, "recipient");
    const std::optional<std::string_view> recipient_id =
        recipient != nullptr ? json::StringView(*recipient, "id") : std::nullopt;
    const std::optional<std::string_view> account = recipient_id ? recipient_id : scope.entry_id;
    if (!account || account->empty()) ThrowShape(path, "has no recipient.id");
    const MessagingParties parties{RequiredString(*sender, "id", path.Member("sender")), *account,
                                   TimestampMs(json::Find(event, "timestamp"), 1)};
    if (const json::Value* message = json::Find(event, "message")) {
      AddMessage(*message, scope, parties, path.Member("message"));
    } else if (const json::Value* reaction = json::Find(event, "reaction")) {
      AddReaction(*reaction, scope, parties, path.Member("reaction"));
    } else if (const json::Value* postback = json::Find(event, "postback")) {
      AddPostback(*postback, scope, parties);
    } else if (const json::Value* delivery = json::Find(event, "delivery")) {
      AddStatuses(*delivery, "delivered", scope, parties);
    } else if (const json::Value* read = json::Find(event, "read")) {
      AddStatuses(*read, "read", scope, parties);
    }
    // Other events (optins, referrals, handovers, edits) are not for these topics.
  }

  /// The members every inbound record of `parties` has.
  InboundMessage Inbound(const MessagingScope& scope, const MessagingParties& parties) const {
    return {.channel = std::string(scope.channel),
            .channel_account_id = std::string(parties.account_id),
            .sender_id = std::string(parties.sender_id),
            .sent_at = IsoOrEmpty(parties.timestamp_ms),
            .received_at = received_at_,
            .standby = scope.standby,
            .trace_id = trace_id_};
  }

  void AddMessage(const json::Value& message, const MessagingScope& scope,
                  const MessagingParties& parties, const JsonPath& path) {
    const json::Value* echo = json::Find(message, "is_echo");
    if (echo != nullptr && echo->IsTrue()) return;  // our own message, sent by the page
    const std::string_view mid = RequiredString(message, "mid", path);
    InboundMessage inbound = Inbound(scope, parties);
    inbound.event_id = MessagesInbound::EventId(scope.channel, mid);
    inbound.platform_message_id = std::string(mid);
    if (const json::Value* reply_to = json::Find(message, "reply_to")) {
      inbound.reply_to = OptionalString(*reply_to, "mid");
    }
    ReadMessageContent(message, inbound);
    records_.push_back(MessagesInbound::Encode(inbound));
  }

  void AddReaction(const json::Value& reaction, const MessagingScope& scope,
                   const MessagingParties& parties, const JsonPath& path) {
    const std::string_view target = RequiredString(reaction, "mid", path);
    const std::string_view action = json::StringView(reaction, "action").value_or("react");
    const std::string timestamp = std::to_string(parties.timestamp_ms.value_or(0));
    InboundMessage inbound = Inbound(scope, parties);
    // A reaction has no id of its own: who reacted to what, how, and when identifies it.
    inbound.event_id = MessagesInbound::ReactionEventId(
        scope.channel, parties.account_id, parties.sender_id, target, action, timestamp);
    inbound.type = "reaction";
    inbound.reaction = topics::InboundReaction{
        .message_id = std::string(target),
        .emoji = action != "unreact" ? OptionalString(reaction, "emoji") : std::nullopt,
        .action = std::string(action)};
    records_.push_back(MessagesInbound::Encode(inbound));
  }

  void AddPostback(const json::Value& postback, const MessagingScope& scope,
                   const MessagingParties& parties) {
    InboundMessage inbound = Inbound(scope, parties);
    inbound.platform_message_id = OptionalString(postback, "mid");
    const std::string_view payload = json::StringView(postback, "payload").value_or("");
    const std::string timestamp = std::to_string(parties.timestamp_ms.value_or(0));
    inbound.event_id =
        inbound.platform_message_id
            ? MessagesInbound::EventId(scope.channel, *inbound.platform_message_id)
            : MessagesInbound::PostbackEventId(scope.channel, parties.account_id, parties.sender_id,
                                               payload, timestamp);
    inbound.type = "postback";
    inbound.text = OptionalString(postback, "title");
    inbound.interactive = topics::InboundChoice{
        .type = "postback", .id = OptionalString(postback, "payload"), .title = inbound.text};
    records_.push_back(MessagesInbound::Encode(inbound));
  }

  /// delivery {mids[], watermark} or read {watermark | mid}: one record per mid, or one for the
  /// watermark ("everything up to this time") when there are none.
  void AddStatuses(const json::Value& event, std::string_view status, const MessagingScope& scope,
                   const MessagingParties& parties) {
    const std::optional<std::int64_t> watermark_ms = TimestampMs(json::Find(event, "watermark"), 1);
    // The event's sender is the person our message went to.
    topics::StatusEvent report{.channel = std::string(scope.channel),
                               .channel_account_id = std::string(parties.account_id),
                               .status = std::string(status),
                               .recipient_id = std::string(parties.sender_id),
                               .timestamp = IsoOrEmpty(parties.timestamp_ms),
                               .watermark = IsoOrEmpty(watermark_ms),
                               .received_at = received_at_,
                               .trace_id = trace_id_};
    std::vector<std::string_view> mids;
    if (const std::optional<std::string_view> mid = json::StringView(event, "mid")) {
      mids.push_back(*mid);
    }
    if (const json::Value* list = json::Find(event, "mids"); list != nullptr && list->IsArray()) {
      for (const json::Value& mid : list->GetArray()) {
        if (mid.IsString()) mids.push_back(json::View(mid));
      }
    }
    const std::string watermark = std::to_string(watermark_ms.value_or(0));
    for (std::string_view mid : mids) {
      report.event_id = DeliveryStatus::EventId(scope.channel, mid, status, watermark);
      report.platform_message_id = std::string(mid);
      records_.push_back(DeliveryStatus::Encode(report));
    }
    if (mids.empty()) {
      report.event_id = DeliveryStatus::WatermarkEventId(scope.channel, parties.account_id,
                                                         parties.sender_id, status, watermark);
      records_.push_back(DeliveryStatus::Encode(report));
    }
  }

  std::string_view channel_;
  const std::string& trace_id_;
  const std::string received_at_;
  std::vector<OutboundRecord> records_;
};

}  // namespace

std::vector<OutboundRecord> SplitMessagingDelivery(const json::Value& root,
                                                   std::string_view channel,
                                                   const DeliveryContext& context) {
  MessagingSplitter splitter(channel, context);
  splitter.Split(root);
  return splitter.TakeRecords();
}

}  // namespace switchboard::ingest
