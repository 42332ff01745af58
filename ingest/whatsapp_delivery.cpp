#include "ingest/whatsapp_delivery.hpp"

#include <optional>
#include <string>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/topics/delivery_status.hpp"
#include "common/topics/messages_inbound.hpp"
#include "ingest/meta_shape.hpp"

namespace switchboard::ingest {
namespace {

using topics::DeliveryStatus;
using topics::InboundMessage;
using topics::MessagesInbound;

constexpr std::string_view kWhatsApp = "whatsapp";
constexpr std::size_t kMaxPhoneDigits = 15;  // E.164

/// errors[] of a message, a status or a value, flattened (error_data.details → details).
std::vector<topics::PlatformError> ErrorsOf(const json::Value& from) {
  std::vector<topics::PlatformError> errors;
  const json::Value* items = json::Find(from, "errors");
  if (items == nullptr || !items->IsArray()) return errors;
  for (const json::Value& error : items->GetArray()) {
    topics::PlatformError flat{.code = json::Int(error, "code"),
                               .title = OptionalString(error, "title"),
                               .message = OptionalString(error, "message")};
    if (const json::Value* data = json::Find(error, "error_data")) {
      flat.details = OptionalString(*data, "details");
    }
    flat.href = OptionalString(error, "href");
    errors.push_back(std::move(flat));
  }
  return errors;
}

/// The member `name` copied through as JSON text when it is an object or an array.
std::string FreeFormOf(const json::Value& from, std::string_view name, int max_depth) {
  const json::Value* value = json::Find(from, name);
  if (value == nullptr || !(value->IsObject() || value->IsArray())) return {};
  return json::Writer().Copy(*value, max_depth).Take();
}

/// The profile name of sender `wa_id` in value.contacts[], if any.
std::optional<std::string> ContactName(const json::Value& value, std::string_view wa_id) {
  const json::Value* contacts = json::Find(value, "contacts");
  if (contacts == nullptr || !contacts->IsArray()) return std::nullopt;
  for (const json::Value& contact : contacts->GetArray()) {
    if (json::StringView(contact, "wa_id") != wa_id) continue;
    if (const json::Value* profile = json::Find(contact, "profile")) {
      return OptionalString(*profile, "name");
    }
  }
  return std::nullopt;
}

/// "+<wa_id>" (E.164) when the WhatsApp id is a phone number, else empty: business-scoped ids
/// are not.
std::string PhoneOf(std::string_view wa_id) {
  if (wa_id.empty() || wa_id.size() > kMaxPhoneDigits) return {};
  for (char c : wa_id) {
    if (c < '0' || c > '9') return {};
  }
  return '+' + std::string(wa_id);
}

// ---- message types: each reads message[type] (`body`, may be null) into the message --------

void ReadText(const json::Value* body, InboundMessage& message) {
  if (body != nullptr) message.text = OptionalString(*body, "body");
}

void ReadMedia(const json::Value* body, InboundMessage& message) {
  if (body == nullptr) return;
  message.text = OptionalString(*body, "caption");
  message.media = MediaOf(*body);
}

void ReadLocation(const json::Value* body, InboundMessage& message) {
  if (body == nullptr || !body->IsObject()) return;
  message.location = topics::InboundLocation{.latitude = json::Number(*body, "latitude"),
                                             .longitude = json::Number(*body, "longitude"),
                                             .name = OptionalString(*body, "name"),
                                             .address = OptionalString(*body, "address"),
                                             .url = OptionalString(*body, "url")};
}

void ReadContacts(const json::Value* body, InboundMessage& message) {
  if (body == nullptr || !body->IsArray()) return;
  message.contacts_json = json::Writer().Copy(*body, MessagesInbound::kFreeFormDepth).Take();
}

void ReadInteractive(const json::Value* body, InboundMessage& message) {
  if (body == nullptr) return;
  const std::optional<std::string_view> type = json::StringView(*body, "type");
  if (!type) return;
  // button_reply and list_reply carry {id, title[, description]} under their own name.
  const json::Value* reply = json::Find(*body, *type);
  const json::Value none;  // null: every member reads as absent
  const json::Value& chosen = reply != nullptr ? *reply : none;
  message.text = OptionalString(chosen, "title");
  message.interactive = topics::InboundChoice{.type = std::string(*type),
                                              .id = OptionalString(chosen, "id"),
                                              .title = OptionalString(chosen, "title"),
                                              .description = OptionalString(chosen, "description")};
}

void ReadButton(const json::Value* body, InboundMessage& message) {
  if (body == nullptr) return;
  message.text = OptionalString(*body, "text");
  message.interactive = topics::InboundChoice{
      .type = "button", .id = OptionalString(*body, "payload"), .title = message.text};
}

void ReadReaction(const json::Value* body, InboundMessage& message) {
  if (body == nullptr || !body->IsObject()) return;
  // An absent or empty emoji: the reaction was removed.
  message.reaction = topics::InboundReaction{.message_id = OptionalString(*body, "message_id"),
                                             .emoji = OptionalString(*body, "emoji")};
}

struct WhatsAppType {
  std::string_view name;
  void (*read)(const json::Value* body, InboundMessage& message);
};

constexpr WhatsAppType kWhatsAppTypes[] = {
    {"text", ReadText},         {"image", ReadMedia},       {"audio", ReadMedia},
    {"video", ReadMedia},       {"document", ReadMedia},    {"sticker", ReadMedia},
    {"location", ReadLocation}, {"contacts", ReadContacts}, {"interactive", ReadInteractive},
    {"button", ReadButton},     {"reaction", ReadReaction},
};

/// type, the type's own members and errors of `message`, whose platform type is `type`.
void ReadContent(const json::Value& message, std::string_view type, InboundMessage& inbound) {
  inbound.errors = ErrorsOf(message);
  for (const WhatsAppType& known : kWhatsAppTypes) {
    if (known.name != type) continue;
    inbound.type = std::string(type);
    known.read(json::Find(message, type), inbound);
    return;
  }
  // Unknown and "unsupported" types are kept, so a human can see what the customer sent.
  inbound.type = "unsupported";
  inbound.original_type = std::string(type);
}

/// Walks one delivery and collects its records.
class WhatsAppSplitter final {
 public:
  WhatsAppSplitter(std::string_view raw_body, const DeliveryContext& context)
      : raw_body_(raw_body),
        trace_id_(context.trace_id),
        received_at_(FormatUtcMillis(context.received_at_ms)) {}

  void Split(const json::Value& root) {
    const JsonPath path;
    ForEachItem(root, "entry", path, [&](const json::Value& entry, const JsonPath& entry_path) {
      ForEachItem(entry, "changes", entry_path, [&](const json::Value& change, const JsonPath& at) {
        // Other fields (template status, account updates, ...) are not for these topics.
        if (json::StringView(change, "field") != "messages") return;
        const json::Value* value = json::Find(change, "value");
        if (value == nullptr || !value->IsObject()) ThrowShape(at, "has no value object");
        SplitValue(*value, at.Member("value"));
      });
    });
  }

  std::vector<OutboundRecord> TakeRecords() { return std::move(records_); }

 private:
  void SplitValue(const json::Value& value, const JsonPath& path) {
    if (!HasItems(value, "messages", path) && !HasItems(value, "statuses", path) &&
        !HasItems(value, "errors", path)) {
      return;
    }
    const json::Value* metadata = json::Find(value, "metadata");
    if (metadata == nullptr) ThrowShape(path, "has no metadata");
    const std::string_view account =
        RequiredString(*metadata, "phone_number_id", path.Member("metadata"));
    ForEachItem(value, "messages", path, [&](const json::Value& message, const JsonPath& at) {
      AddMessage(message, value, account, at);
    });
    ForEachItem(value, "statuses", path, [&](const json::Value& status, const JsonPath& at) {
      AddStatus(status, account, at);
    });
    if (HasItems(value, "errors", path)) AddSystemErrors(value, account, path);
  }

  void AddMessage(const json::Value& message, const json::Value& value, std::string_view account,
                  const JsonPath& path) {
    const std::string_view id = RequiredString(message, "id", path);
    const std::string_view sender = RequiredString(message, "from", path);
    const std::string_view type = json::StringView(message, "type").value_or("unknown");
    InboundMessage inbound{
        .event_id = MessagesInbound::EventId(kWhatsApp, id),
        .channel = std::string(kWhatsApp),
        .channel_account_id = std::string(account),
        .sender_id = std::string(sender),
        .sender_name = ContactName(value, sender),
        .sender_phone = PhoneOf(sender),
        .platform_message_id = std::string(id),
        .sent_at = IsoOrEmpty(TimestampMs(json::Find(message, "timestamp"), 1000)),
        .received_at = received_at_,
        .trace_id = trace_id_};
    if (const json::Value* context = json::Find(message, "context")) {
      inbound.reply_to = OptionalString(*context, "id");
    }
    ReadContent(message, type, inbound);
    records_.push_back(MessagesInbound::Encode(inbound));
  }

  void AddStatus(const json::Value& status, std::string_view account, const JsonPath& path) {
    const std::string_view id = RequiredString(status, "id", path);
    const std::string_view state = RequiredString(status, "status", path);
    const std::string_view recipient = RequiredString(status, "recipient_id", path);
    const json::Value* timestamp = json::Find(status, "timestamp");
    const std::string_view raw_timestamp =
        timestamp != nullptr && timestamp->IsString() ? json::View(*timestamp) : std::string_view();
    topics::StatusEvent event{
        .event_id = DeliveryStatus::EventId(kWhatsApp, id, state, raw_timestamp),
        .channel = std::string(kWhatsApp),
        .channel_account_id = std::string(account),
        .platform_message_id = std::string(id),
        .status = std::string(state),
        .recipient_id = std::string(recipient),
        .timestamp = IsoOrEmpty(TimestampMs(timestamp, 1000)),
        .received_at = received_at_,
        .trace_id = trace_id_};
    ReadDetails(status, event);
    records_.push_back(DeliveryStatus::Encode(event));
  }

  void AddSystemErrors(const json::Value& value, std::string_view account, const JsonPath& path) {
    // Not tied to a message: the delivery's bytes and the position tell one apart.
    topics::StatusEvent event{.event_id = DeliveryStatus::SystemErrorEventId(
                                  kWhatsApp, account, BodyDigest(), path.ToString()),
                              .channel = std::string(kWhatsApp),
                              .channel_account_id = std::string(account),
                              .status = "error",
                              .received_at = received_at_,
                              .trace_id = trace_id_};
    ReadDetails(value, event);
    records_.push_back(DeliveryStatus::Encode(event));
  }

  /// errors[], conversation, pricing and biz_opaque_callback_data of a status (or of a value
  /// with system errors).
  static void ReadDetails(const json::Value& from, topics::StatusEvent& event) {
    event.errors = ErrorsOf(from);
    event.conversation_json = FreeFormOf(from, "conversation", DeliveryStatus::kFreeFormDepth);
    event.pricing_json = FreeFormOf(from, "pricing", DeliveryStatus::kFreeFormDepth);
    event.biz_opaque_callback_data = OptionalString(from, "biz_opaque_callback_data");
  }

  const std::string& BodyDigest() {
    if (!body_digest_) body_digest_ = HexEncode(Sha256(raw_body_));
    return *body_digest_;
  }

  std::string_view raw_body_;
  const std::string& trace_id_;
  const std::string received_at_;
  std::optional<std::string> body_digest_;
  std::vector<OutboundRecord> records_;
};

}  // namespace

std::vector<OutboundRecord> SplitWhatsAppDelivery(const json::Value& root,
                                                  std::string_view raw_body,
                                                  const DeliveryContext& context) {
  WhatsAppSplitter splitter(raw_body, context);
  splitter.Split(root);
  return splitter.TakeRecords();
}

}  // namespace switchboard::ingest
