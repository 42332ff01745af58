#include "ingest/meta_webhook.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <functional>
#include <optional>
#include <utility>

#include "common/dead_letter.hpp"
#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/token_cipher.hpp"

// Shape policy: a message or status missing what identifies it (id, sender, recipient, account)
// makes the whole delivery a shape error. Nothing is half-produced and the delivery goes to the
// dead letter intact, where it can be re-driven once the parser knows the new shape. Optional
// fields that are missing or of an unexpected type are left out; unknown fields are ignored.
//
// WhatsApp value.errors[] (system-level errors, not tied to one message) are produced to
// delivery.status as records with status "error", no platform_message_id and no recipient, keyed
// "whatsapp:<phone_number_id>": they matter to operators (e.g. the number was restricted) and
// the sender stage can see them next to the statuses of the same number.

namespace switchboard::ingest {
namespace {

using rapidjson::Value;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Iterative parsing keeps a hostile, deeply nested body from exhausting the stack; the encoding
// check keeps invalid UTF-8 out of the JSON we produce.
constexpr unsigned kParseFlags = rapidjson::kParseDefaultFlags | rapidjson::kParseIterativeFlag |
                                 rapidjson::kParseValidateEncodingFlag;
// Free-form parts copied through (contacts, conversation, pricing) stop at this depth.
constexpr int kMaxCopyDepth = 8;
constexpr std::int64_t kMaxTimestampMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
constexpr std::size_t kMaxPhoneDigits = 15;                // E.164

constexpr std::string_view kWhatsApp = "whatsapp";
constexpr std::string_view kInstagram = "instagram";
constexpr std::string_view kMessenger = "messenger";

/// A delivery that is JSON but not a shape we know; caught once in SplitMetaDelivery.
struct ShapeError {
  std::string message;
};

/// Where in the body an item is, formatted only when an error names it.
struct JsonPath {
  const JsonPath* parent = nullptr;
  const char* name = nullptr;
  int index = -1;

  JsonPath Member(const char* member) const { return {this, member, -1}; }
  JsonPath Item(const char* array, int i) const { return {this, array, i}; }

  std::string ToString() const {
    std::string text = parent != nullptr ? parent->ToString() : std::string();
    if (name == nullptr) return text;
    if (!text.empty()) text += '.';
    text += name;
    if (index >= 0) text += '[' + std::to_string(index) + ']';
    return text;
  }
};

[[noreturn]] void ThrowShape(const JsonPath& path, std::string_view what) {
  const std::string where = path.ToString();
  throw ShapeError{(where.empty() ? std::string("body") : where) + ' ' + std::string(what)};
}

// ---- reading -------------------------------------------------------------------------------

const Value* Find(const Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto member = object.FindMember(name);
  return member == object.MemberEnd() ? nullptr : &member->value;
}

std::string_view View(const Value& string) {
  return {string.GetString(), string.GetStringLength()};
}

/// The member as a string, when it is one.
std::optional<std::string_view> StringOf(const Value& object, const char* name) {
  const Value* value = Find(object, name);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return View(*value);
}

/// The member as a non-empty string; a shape error otherwise.
std::string_view RequiredString(const Value& object, const char* name, const JsonPath& path) {
  const std::optional<std::string_view> value = StringOf(object, name);
  if (!value || value->empty()) ThrowShape(path, std::string("has no ") + name);
  return *value;
}

/// The member as an array: absent → nullptr, present but not an array → a shape error.
const Value* ItemsOf(const Value& object, const char* name, const JsonPath& path) {
  const Value* value = Find(object, name);
  if (value == nullptr || value->IsNull()) return nullptr;
  if (!value->IsArray()) ThrowShape(path.Member(name), "is not an array");
  return value;
}

/// True when the array member `name` has at least one element.
bool HasItems(const Value& object, const char* name, const JsonPath& path) {
  const Value* items = ItemsOf(object, name, path);
  return items != nullptr && !items->Empty();
}

/// Calls `visit(item, path)` for each element of the array member `name`, if any.
void ForEachItem(const Value& object, const char* name, const JsonPath& path,
                 const std::function<void(const Value&, const JsonPath&)>& visit) {
  const Value* items = ItemsOf(object, name, path);
  if (items == nullptr) return;
  int index = 0;
  for (const Value& item : items->GetArray()) {
    visit(item, path.Item(name, index++));
  }
}

std::optional<std::int64_t> ParseDigits(std::string_view text) {
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < 0) return std::nullopt;
  return number;
}

/// A platform timestamp (`unit_ms` per unit: 1000 for WhatsApp seconds, 1 for Messenger ms),
/// given as a number or a string of digits; nullopt when absent or out of range.
std::optional<std::int64_t> TimestampMs(const Value* value, std::int64_t unit_ms) {
  if (value == nullptr) return std::nullopt;
  std::optional<std::int64_t> number;
  if (value->IsInt64()) number = value->GetInt64();
  if (value->IsString()) number = ParseDigits(View(*value));
  if (!number || *number < 0 || *number > kMaxTimestampMs / unit_ms) return std::nullopt;
  return *number * unit_ms;
}

// ---- writing -------------------------------------------------------------------------------

/// Writes `text` as a JSON string. The parser checked the body's bytes, but a lone surrogate
/// escape ("\udc00") still decodes to bytes that are not UTF-8: those become U+FFFD.
void WriteString(JsonWriter& writer, std::string_view text) {
  if (IsValidUtf8(text)) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return;
  }
  const std::string repaired = ToValidUtf8(text);
  writer.String(repaired.data(), static_cast<rapidjson::SizeType>(repaired.size()));
}

void WriteField(JsonWriter& writer, const char* key, std::string_view text) {
  writer.Key(key);
  WriteString(writer, text);
}

void WriteOptional(JsonWriter& writer, const char* key,
                   const std::optional<std::string_view>& text) {
  if (text) WriteField(writer, key, *text);
}

/// Copies a member that is a string, under the same or another key.
void CopyString(JsonWriter& writer, const Value& from, const char* name,
                const char* key = nullptr) {
  WriteOptional(writer, key != nullptr ? key : name, StringOf(from, name));
}

void WriteTimestamp(JsonWriter& writer, const char* key, std::optional<std::int64_t> ms) {
  if (ms) WriteField(writer, key, FormatUtcMillis(*ms));
}

/// Copies free-form JSON through, replacing anything deeper than kMaxCopyDepth with null.
void CopyJson(JsonWriter& writer, const Value& value, int depth = 0) {
  if (value.IsString()) {
    WriteString(writer, View(value));
  } else if (value.IsBool()) {
    writer.Bool(value.GetBool());
  } else if (value.IsInt64()) {
    writer.Int64(value.GetInt64());
  } else if (value.IsUint64()) {
    writer.Uint64(value.GetUint64());
  } else if (value.IsNumber()) {
    writer.Double(value.GetDouble());
  } else if (value.IsArray() && depth < kMaxCopyDepth) {
    writer.StartArray();
    for (const Value& item : value.GetArray()) CopyJson(writer, item, depth + 1);
    writer.EndArray();
  } else if (value.IsObject() && depth < kMaxCopyDepth) {
    writer.StartObject();
    for (const auto& member : value.GetObject()) {
      const std::string_view name = View(member.name);
      if (IsValidUtf8(name)) {
        writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      } else {
        const std::string repaired = ToValidUtf8(name);
        writer.Key(repaired.data(), static_cast<rapidjson::SizeType>(repaired.size()));
      }
      CopyJson(writer, member.value, depth + 1);
    }
    writer.EndObject();
  } else {
    writer.Null();
  }
}

/// Copies a member of the given kind (object or array) through, when present.
void CopyMember(JsonWriter& writer, const Value& from, const char* name) {
  const Value* value = Find(from, name);
  if (value == nullptr || !(value->IsObject() || value->IsArray())) return;
  writer.Key(name);
  CopyJson(writer, *value);
}

/// errors[] as [{code, title, message, details, href}] (WhatsApp's error objects).
void WriteErrors(JsonWriter& writer, const Value& from) {
  const Value* errors = Find(from, "errors");
  if (errors == nullptr || !errors->IsArray() || errors->Empty()) return;
  writer.Key("errors");
  writer.StartArray();
  for (const Value& error : errors->GetArray()) {
    writer.StartObject();
    const Value* code = Find(error, "code");
    if (code != nullptr && code->IsInt64()) {
      writer.Key("code");
      writer.Int64(code->GetInt64());
    }
    CopyString(writer, error, "title");
    CopyString(writer, error, "message");
    if (const Value* data = Find(error, "error_data")) CopyString(writer, *data, "details");
    CopyString(writer, error, "href");
    writer.EndObject();
  }
  writer.EndArray();
}

/// media {id, url, mime_type, sha256, caption, filename} from a WhatsApp media object or a
/// Messenger attachment payload.
void WriteMedia(JsonWriter& writer, const Value& media) {
  if (!media.IsObject()) return;
  writer.Key("media");
  writer.StartObject();
  for (const char* name : {"id", "url", "mime_type", "sha256", "caption", "filename"}) {
    CopyString(writer, media, name);
  }
  writer.EndObject();
}

void WriteNumber(JsonWriter& writer, const char* key, const Value* number) {
  if (number == nullptr || !number->IsNumber()) return;
  writer.Key(key);
  writer.Double(number->GetDouble());
}

/// interactive {type, id, title, description}.
void WriteInteractive(JsonWriter& writer, std::string_view type, std::optional<std::string_view> id,
                      std::optional<std::string_view> title,
                      std::optional<std::string_view> description = std::nullopt) {
  writer.Key("interactive");
  writer.StartObject();
  WriteField(writer, "type", type);
  WriteOptional(writer, "id", id);
  WriteOptional(writer, "title", title);
  WriteOptional(writer, "description", description);
  writer.EndObject();
}

OutboundRecord MakeRecord(std::string_view topic, std::string key, std::string value,
                          const std::string& event_id, std::string_view schema,
                          const DeliveryContext& context) {
  OutboundRecord record;
  record.topic = std::string(topic);
  record.key = std::move(key);
  record.value = std::move(value);
  record.headers = {
      {"event-id", event_id}, {"schema", std::string(schema)}, {"trace-id", context.trace_id}};
  return record;
}

std::string JoinKey(std::string_view channel, std::string_view account, std::string_view party) {
  std::string key;
  key.reserve(channel.size() + account.size() + party.size() + 2);
  key.append(channel).append(":").append(account).append(":").append(party);
  return key;
}

// ---- normalized records --------------------------------------------------------------------

/// Writes the type-specific members of a messages.inbound value ("type", "text", "media", ...).
using ContentWriter = std::function<void(JsonWriter&)>;

/// The members every messages.inbound value has, whatever the channel.
struct InboundCommon {
  std::string_view channel;
  std::string_view account_id;
  std::string_view sender_id;
  std::optional<std::string_view> sender_name;
  std::optional<std::string> sender_phone;
  std::optional<std::string_view> platform_message_id;
  std::optional<std::int64_t> sent_at_ms;
  std::optional<std::string_view> reply_to;
  bool standby = false;
};

OutboundRecord InboundRecord(const InboundCommon& common, const std::string& event_id,
                             const DeliveryContext& context, const ContentWriter& write_content) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteField(writer, "event_id", event_id);
  WriteField(writer, "schema", kInboundSchema);
  WriteField(writer, "channel", common.channel);
  WriteField(writer, "channel_account_id", common.account_id);
  WriteField(writer, "sender_id", common.sender_id);
  WriteOptional(writer, "sender_name", common.sender_name);
  if (common.sender_phone) WriteField(writer, "sender_phone", *common.sender_phone);
  WriteOptional(writer, "platform_message_id", common.platform_message_id);
  WriteTimestamp(writer, "sent_at", common.sent_at_ms);
  WriteTimestamp(writer, "received_at", context.received_at_ms);
  WriteOptional(writer, "reply_to", common.reply_to);
  if (common.standby) {
    writer.Key("standby");
    writer.Bool(true);
  }
  write_content(writer);
  WriteField(writer, "trace_id", context.trace_id);
  writer.EndObject();
  return MakeRecord(kInboundTopic, JoinKey(common.channel, common.account_id, common.sender_id),
                    std::string(buffer.GetString(), buffer.GetSize()), event_id, kInboundSchema,
                    context);
}

/// The members of a delivery.status value; `details` is the object holding errors[],
/// conversation and pricing (a WhatsApp status or value), if any.
struct StatusFields {
  std::string_view channel;
  std::string_view account_id;
  std::optional<std::string_view> recipient_id;
  std::optional<std::string_view> platform_message_id;
  std::string_view status;
  std::optional<std::int64_t> timestamp_ms;
  std::optional<std::int64_t> watermark_ms;
  const Value* details = nullptr;
};

OutboundRecord StatusRecord(const StatusFields& fields, const std::string& event_id,
                            const DeliveryContext& context) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteField(writer, "event_id", event_id);
  WriteField(writer, "schema", kStatusSchema);
  WriteField(writer, "channel", fields.channel);
  WriteField(writer, "channel_account_id", fields.account_id);
  WriteOptional(writer, "platform_message_id", fields.platform_message_id);
  WriteField(writer, "status", fields.status);
  WriteOptional(writer, "recipient_id", fields.recipient_id);
  WriteTimestamp(writer, "timestamp", fields.timestamp_ms);
  WriteTimestamp(writer, "watermark", fields.watermark_ms);
  WriteTimestamp(writer, "received_at", context.received_at_ms);
  if (fields.details != nullptr) {
    WriteErrors(writer, *fields.details);
    CopyMember(writer, *fields.details, "conversation");
    CopyMember(writer, *fields.details, "pricing");
    CopyString(writer, *fields.details, "biz_opaque_callback_data");
  }
  WriteField(writer, "trace_id", context.trace_id);
  writer.EndObject();
  std::string key = fields.recipient_id
                        ? JoinKey(fields.channel, fields.account_id, *fields.recipient_id)
                        : std::string(fields.channel) + ':' + std::string(fields.account_id);
  return MakeRecord(kStatusTopic, std::move(key), std::string(buffer.GetString(), buffer.GetSize()),
                    event_id, kStatusSchema, context);
}

// ---- WhatsApp message types ----------------------------------------------------------------

/// Writes the members of one WhatsApp message type; `body` is message[type] (may be null).
using WhatsAppTypeWriter = void (*)(JsonWriter&, const Value* body);

void WriteWhatsAppText(JsonWriter& writer, const Value* body) {
  if (body != nullptr) CopyString(writer, *body, "body", "text");
}

void WriteWhatsAppMedia(JsonWriter& writer, const Value* body) {
  if (body == nullptr) return;
  CopyString(writer, *body, "caption", "text");
  WriteMedia(writer, *body);
}

void WriteWhatsAppLocation(JsonWriter& writer, const Value* body) {
  if (body == nullptr || !body->IsObject()) return;
  writer.Key("location");
  writer.StartObject();
  WriteNumber(writer, "latitude", Find(*body, "latitude"));
  WriteNumber(writer, "longitude", Find(*body, "longitude"));
  for (const char* name : {"name", "address", "url"}) CopyString(writer, *body, name);
  writer.EndObject();
}

void WriteWhatsAppContacts(JsonWriter& writer, const Value* body) {
  if (body == nullptr || !body->IsArray()) return;
  writer.Key("contacts");
  CopyJson(writer, *body);
}

void WriteWhatsAppInteractive(JsonWriter& writer, const Value* body) {
  if (body == nullptr) return;
  const std::optional<std::string_view> type = StringOf(*body, "type");
  if (!type) return;
  // button_reply and list_reply carry {id, title[, description]} under their own name.
  const std::string type_name(*type);
  const Value* reply = Find(*body, type_name.c_str());
  const Value empty_reply(rapidjson::kObjectType);
  const Value& chosen = reply != nullptr ? *reply : empty_reply;
  CopyString(writer, chosen, "title", "text");
  WriteInteractive(writer, *type, StringOf(chosen, "id"), StringOf(chosen, "title"),
                   StringOf(chosen, "description"));
}

void WriteWhatsAppButton(JsonWriter& writer, const Value* body) {
  if (body == nullptr) return;
  CopyString(writer, *body, "text");
  WriteInteractive(writer, "button", StringOf(*body, "payload"), StringOf(*body, "text"));
}

void WriteWhatsAppReaction(JsonWriter& writer, const Value* body) {
  if (body == nullptr || !body->IsObject()) return;
  writer.Key("reaction");
  writer.StartObject();
  CopyString(writer, *body, "message_id");
  CopyString(writer, *body, "emoji");  // absent or empty: the reaction was removed
  writer.EndObject();
}

struct WhatsAppType {
  std::string_view name;
  WhatsAppTypeWriter write;
};

constexpr WhatsAppType kWhatsAppTypes[] = {
    {"text", WriteWhatsAppText},
    {"image", WriteWhatsAppMedia},
    {"audio", WriteWhatsAppMedia},
    {"video", WriteWhatsAppMedia},
    {"document", WriteWhatsAppMedia},
    {"sticker", WriteWhatsAppMedia},
    {"location", WriteWhatsAppLocation},
    {"contacts", WriteWhatsAppContacts},
    {"interactive", WriteWhatsAppInteractive},
    {"button", WriteWhatsAppButton},
    {"reaction", WriteWhatsAppReaction},
};

void WriteWhatsAppContent(JsonWriter& writer, const Value& message, std::string_view type) {
  for (const WhatsAppType& known : kWhatsAppTypes) {
    if (known.name != type) continue;
    WriteField(writer, "type", type);
    const std::string type_name(type);
    known.write(writer, Find(message, type_name.c_str()));
    WriteErrors(writer, message);
    return;
  }
  // Unknown and "unsupported" types are kept, so a human can see what the customer sent.
  WriteField(writer, "type", "unsupported");
  WriteField(writer, "original_type", type);
  WriteErrors(writer, message);
}

// ---- Messenger / Instagram message content -------------------------------------------------

/// Our message type for a Messenger/Instagram attachment type; nullopt when we have none.
std::optional<std::string_view> AttachmentMessageType(std::string_view attachment_type) {
  if (attachment_type == "image" || attachment_type == "video" || attachment_type == "audio" ||
      attachment_type == "location") {
    return attachment_type;
  }
  if (attachment_type == "file") return "document";
  return std::nullopt;
}

void WriteAttachmentLocation(JsonWriter& writer, const Value& payload) {
  const Value* coordinates = Find(payload, "coordinates");
  if (coordinates == nullptr || !coordinates->IsObject()) return;
  writer.Key("location");
  writer.StartObject();
  WriteNumber(writer, "latitude", Find(*coordinates, "lat"));
  WriteNumber(writer, "longitude", Find(*coordinates, "long"));
  CopyString(writer, payload, "title", "name");
  writer.EndObject();
}

void WriteAttachmentList(JsonWriter& writer, const Value& attachments) {
  writer.Key("attachments");
  writer.StartArray();
  for (const Value& attachment : attachments.GetArray()) {
    writer.StartObject();
    CopyString(writer, attachment, "type");
    if (const Value* payload = Find(attachment, "payload")) CopyString(writer, *payload, "url");
    writer.EndObject();
  }
  writer.EndArray();
}

/// type, media/location and attachments[] from message.attachments[] (the first decides).
void WriteAttachmentContent(JsonWriter& writer, const Value& attachments) {
  const Value& first = attachments[0];
  const std::string_view attachment_type = StringOf(first, "type").value_or("");
  const std::optional<std::string_view> type = AttachmentMessageType(attachment_type);
  WriteField(writer, "type", type.value_or("unsupported"));
  if (!type) WriteField(writer, "original_type", attachment_type);
  if (const Value* payload = Find(first, "payload")) {
    if (type == "location") {
      WriteAttachmentLocation(writer, *payload);
    } else {
      WriteMedia(writer, *payload);
    }
  }
  WriteAttachmentList(writer, attachments);
}

void WriteMessagingMessageContent(JsonWriter& writer, const Value& message) {
  CopyString(writer, message, "text");
  const Value* attachments = Find(message, "attachments");
  const Value* quick_reply = Find(message, "quick_reply");
  if (attachments != nullptr && attachments->IsArray() && !attachments->Empty()) {
    WriteAttachmentContent(writer, *attachments);
  } else if (quick_reply != nullptr && quick_reply->IsObject()) {
    WriteField(writer, "type", "interactive");
    WriteInteractive(writer, "quick_reply", StringOf(*quick_reply, "payload"),
                     StringOf(message, "text"));
  } else if (Find(message, "text") != nullptr) {
    WriteField(writer, "type", "text");
  } else {
    WriteField(writer, "type", "unsupported");
    WriteField(writer, "original_type", "message");
  }
}

// ---- the splitter --------------------------------------------------------------------------

/// Walks one parsed delivery and collects its records; throws ShapeError on a shape it does not
/// know. One method per platform shape.
class DeliverySplitter final {
 public:
  DeliverySplitter(std::string_view raw_body, const DeliveryContext& context)
      : raw_body_(raw_body), context_(context) {}

  void SplitWhatsApp(const Value& root, const JsonPath& path) {
    ForEachItem(root, "entry", path, [&](const Value& entry, const JsonPath& entry_path) {
      ForEachItem(entry, "changes", entry_path, [&](const Value& change, const JsonPath& at) {
        // Other fields (template status, account updates, ...) are not for these topics.
        if (StringOf(change, "field") != "messages") return;
        const Value* value = Find(change, "value");
        if (value == nullptr || !value->IsObject()) ThrowShape(at, "has no value object");
        SplitWhatsAppValue(*value, at.Member("value"));
      });
    });
  }

  void SplitMessaging(const Value& root, std::string_view channel, const JsonPath& path) {
    ForEachItem(root, "entry", path, [&](const Value& entry, const JsonPath& entry_path) {
      const std::optional<std::string_view> entry_id = StringOf(entry, "id");
      for (const char* list : {"messaging", "standby"}) {
        const bool standby = std::string_view(list) == "standby";
        ForEachItem(entry, list, entry_path, [&](const Value& event, const JsonPath& at) {
          SplitMessagingEvent(event, {channel, entry_id, standby}, at);
        });
      }
    });
  }

  std::vector<OutboundRecord> TakeRecords() { return std::move(records_); }

 private:
  /// Where a Messenger/Instagram event came from.
  struct MessagingScope {
    std::string_view channel;
    std::optional<std::string_view> entry_id;
    bool standby = false;
  };

  /// The sender and account of a Messenger/Instagram event, and its time.
  struct MessagingParties {
    std::string_view sender_id;
    std::string_view account_id;
    std::optional<std::int64_t> timestamp_ms;
  };

  // -- WhatsApp --

  void SplitWhatsAppValue(const Value& value, const JsonPath& path) {
    if (!HasItems(value, "messages", path) && !HasItems(value, "statuses", path) &&
        !HasItems(value, "errors", path)) {
      return;
    }
    const Value* metadata = Find(value, "metadata");
    if (metadata == nullptr) ThrowShape(path, "has no metadata");
    const std::string_view account =
        RequiredString(*metadata, "phone_number_id", path.Member("metadata"));
    ForEachItem(value, "messages", path, [&](const Value& message, const JsonPath& at) {
      AddWhatsAppMessage(message, value, account, at);
    });
    ForEachItem(value, "statuses", path, [&](const Value& status, const JsonPath& at) {
      AddWhatsAppStatus(status, account, at);
    });
    if (HasItems(value, "errors", path)) AddWhatsAppSystemErrors(value, account, path);
  }

  static std::optional<std::string_view> ContactName(const Value& value, std::string_view wa_id) {
    const Value* contacts = Find(value, "contacts");
    if (contacts == nullptr || !contacts->IsArray()) return std::nullopt;
    for (const Value& contact : contacts->GetArray()) {
      if (StringOf(contact, "wa_id") != wa_id) continue;
      if (const Value* profile = Find(contact, "profile")) return StringOf(*profile, "name");
    }
    return std::nullopt;
  }

  /// "+<wa_id>" (E.164) when the WhatsApp id is a phone number; business-scoped ids are not.
  static std::optional<std::string> PhoneOf(std::string_view wa_id) {
    if (wa_id.empty() || wa_id.size() > kMaxPhoneDigits) return std::nullopt;
    for (char c : wa_id) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    return '+' + std::string(wa_id);
  }

  void AddWhatsAppMessage(const Value& message, const Value& value, std::string_view account,
                          const JsonPath& path) {
    const std::string_view id = RequiredString(message, "id", path);
    const std::string_view sender = RequiredString(message, "from", path);
    const std::string_view type = StringOf(message, "type").value_or("unknown");
    InboundCommon common{.channel = kWhatsApp,
                         .account_id = account,
                         .sender_id = sender,
                         .sender_name = ContactName(value, sender),
                         .sender_phone = PhoneOf(sender),
                         .platform_message_id = id,
                         .sent_at_ms = TimestampMs(Find(message, "timestamp"), 1000)};
    if (const Value* context = Find(message, "context")) common.reply_to = StringOf(*context, "id");
    const std::string event_id = EventIdFor({kInboundTopic, kWhatsApp, id});
    records_.push_back(InboundRecord(common, event_id, context_, [&](JsonWriter& writer) {
      WriteWhatsAppContent(writer, message, type);
    }));
  }

  void AddWhatsAppStatus(const Value& status, std::string_view account, const JsonPath& path) {
    const std::string_view id = RequiredString(status, "id", path);
    const std::string_view state = RequiredString(status, "status", path);
    const std::string_view recipient = RequiredString(status, "recipient_id", path);
    const Value* timestamp = Find(status, "timestamp");
    const std::string_view raw_timestamp =
        timestamp != nullptr && timestamp->IsString() ? View(*timestamp) : std::string_view();
    const std::string event_id = EventIdFor({kStatusTopic, kWhatsApp, id, state, raw_timestamp});
    records_.push_back(StatusRecord({.channel = kWhatsApp,
                                     .account_id = account,
                                     .recipient_id = recipient,
                                     .platform_message_id = id,
                                     .status = state,
                                     .timestamp_ms = TimestampMs(timestamp, 1000),
                                     .details = &status},
                                    event_id, context_));
  }

  void AddWhatsAppSystemErrors(const Value& value, std::string_view account, const JsonPath& path) {
    // Not tied to a message: the delivery's bytes and the position tell one apart.
    const std::string event_id =
        EventIdFor({kStatusTopic, kWhatsApp, account, "error", BodyDigest(), path.ToString()});
    records_.push_back(StatusRecord(
        {.channel = kWhatsApp, .account_id = account, .status = "error", .details = &value},
        event_id, context_));
  }

  // -- Messenger / Instagram --

  void SplitMessagingEvent(const Value& event, const MessagingScope& scope, const JsonPath& path) {
    const Value* sender = Find(event, "sender");
    if (sender == nullptr) ThrowShape(path, "has no sender");
    const std::optional<std::string_view> recipient =
        Find(event, "recipient") != nullptr ? StringOf(*Find(event, "recipient"), "id")
                                            : std::nullopt;
    const std::optional<std::string_view> account = recipient ? recipient : scope.entry_id;
    if (!account || account->empty()) ThrowShape(path, "has no recipient.id");
    const MessagingParties parties{RequiredString(*sender, "id", path.Member("sender")), *account,
                                   TimestampMs(Find(event, "timestamp"), 1)};
    if (const Value* message = Find(event, "message")) {
      AddMessagingMessage(*message, scope, parties, path.Member("message"));
    } else if (const Value* reaction = Find(event, "reaction")) {
      AddMessagingReaction(*reaction, scope, parties, path.Member("reaction"));
    } else if (const Value* postback = Find(event, "postback")) {
      AddMessagingPostback(*postback, scope, parties);
    } else if (const Value* delivery = Find(event, "delivery")) {
      AddMessagingStatuses(*delivery, "delivered", scope, parties);
    } else if (const Value* read = Find(event, "read")) {
      AddMessagingStatuses(*read, "read", scope, parties);
    }
    // Other events (optins, referrals, handovers, edits) are not for these topics.
  }

  static InboundCommon MessagingCommon(const MessagingScope& scope,
                                       const MessagingParties& parties) {
    return {.channel = scope.channel,
            .account_id = parties.account_id,
            .sender_id = parties.sender_id,
            .sent_at_ms = parties.timestamp_ms,
            .standby = scope.standby};
  }

  void AddMessagingMessage(const Value& message, const MessagingScope& scope,
                           const MessagingParties& parties, const JsonPath& path) {
    const Value* echo = Find(message, "is_echo");
    if (echo != nullptr && echo->IsTrue()) return;  // our own message, sent by the page
    const std::string_view mid = RequiredString(message, "mid", path);
    InboundCommon common = MessagingCommon(scope, parties);
    common.platform_message_id = mid;
    if (const Value* reply_to = Find(message, "reply_to")) {
      common.reply_to = StringOf(*reply_to, "mid");
    }
    const std::string event_id = EventIdFor({kInboundTopic, scope.channel, mid});
    records_.push_back(InboundRecord(common, event_id, context_, [&](JsonWriter& writer) {
      WriteMessagingMessageContent(writer, message);
    }));
  }

  void AddMessagingReaction(const Value& reaction, const MessagingScope& scope,
                            const MessagingParties& parties, const JsonPath& path) {
    const std::string_view target = RequiredString(reaction, "mid", path);
    const std::string_view action = StringOf(reaction, "action").value_or("react");
    const std::string timestamp = std::to_string(parties.timestamp_ms.value_or(0));
    // A reaction has no id of its own: who reacted to what, how, and when identifies it.
    const std::string event_id =
        EventIdFor({kInboundTopic, scope.channel, parties.account_id, parties.sender_id, "reaction",
                    target, action, timestamp});
    records_.push_back(
        InboundRecord(MessagingCommon(scope, parties), event_id, context_, [&](JsonWriter& writer) {
          WriteField(writer, "type", "reaction");
          writer.Key("reaction");
          writer.StartObject();
          WriteField(writer, "message_id", target);
          if (action != "unreact") CopyString(writer, reaction, "emoji");
          WriteField(writer, "action", action);
          writer.EndObject();
        }));
  }

  void AddMessagingPostback(const Value& postback, const MessagingScope& scope,
                            const MessagingParties& parties) {
    InboundCommon common = MessagingCommon(scope, parties);
    common.platform_message_id = StringOf(postback, "mid");
    const std::string_view payload = StringOf(postback, "payload").value_or("");
    const std::string timestamp = std::to_string(parties.timestamp_ms.value_or(0));
    const std::string event_id =
        common.platform_message_id
            ? EventIdFor({kInboundTopic, scope.channel, *common.platform_message_id})
            : EventIdFor({kInboundTopic, scope.channel, parties.account_id, parties.sender_id,
                          "postback", payload, timestamp});
    records_.push_back(InboundRecord(common, event_id, context_, [&](JsonWriter& writer) {
      WriteField(writer, "type", "postback");
      CopyString(writer, postback, "title", "text");
      WriteInteractive(writer, "postback", StringOf(postback, "payload"),
                       StringOf(postback, "title"));
    }));
  }

  /// delivery {mids[], watermark} or read {watermark | mid}: one record per mid, or one for
  /// the watermark ("everything up to this time") when there are none.
  void AddMessagingStatuses(const Value& event, std::string_view status,
                            const MessagingScope& scope, const MessagingParties& parties) {
    // The event's sender is the person our message went to.
    StatusFields fields{.channel = scope.channel,
                        .account_id = parties.account_id,
                        .recipient_id = parties.sender_id,
                        .status = status,
                        .timestamp_ms = parties.timestamp_ms,
                        .watermark_ms = TimestampMs(Find(event, "watermark"), 1)};
    std::vector<std::string_view> mids;
    if (const std::optional<std::string_view> mid = StringOf(event, "mid")) mids.push_back(*mid);
    if (const Value* list = Find(event, "mids"); list != nullptr && list->IsArray()) {
      for (const Value& mid : list->GetArray()) {
        if (mid.IsString()) mids.push_back(View(mid));
      }
    }
    const std::string watermark = std::to_string(fields.watermark_ms.value_or(0));
    for (std::string_view mid : mids) {
      fields.platform_message_id = mid;
      records_.push_back(StatusRecord(
          fields, EventIdFor({kStatusTopic, scope.channel, mid, status, watermark}), context_));
    }
    if (mids.empty()) {
      records_.push_back(StatusRecord(fields,
                                      EventIdFor({kStatusTopic, scope.channel, parties.account_id,
                                                  parties.sender_id, status, watermark}),
                                      context_));
    }
  }

  const std::string& BodyDigest() {
    if (!body_digest_) body_digest_ = HexEncode(Sha256(raw_body_));
    return *body_digest_;
  }

  std::string_view raw_body_;
  const DeliveryContext& context_;
  std::optional<std::string> body_digest_;
  std::vector<OutboundRecord> records_;
};

Error ParseFailure(const rapidjson::Document& document) {
  std::string reason = GetParseError_En(document.GetParseError());
  if (reason.ends_with('.')) reason.pop_back();
  return Error{"body is not JSON: " + reason + " at offset " +
               std::to_string(document.GetErrorOffset())};
}

}  // namespace

Result<std::vector<OutboundRecord>> SplitMetaDelivery(std::string_view raw_body,
                                                      const DeliveryContext& context) {
  rapidjson::Document document;
  document.Parse<kParseFlags>(raw_body.data(), raw_body.size());
  if (document.HasParseError()) return ParseFailure(document);
  if (!document.IsObject()) return Error{"body is not a JSON object"};
  const std::optional<std::string_view> object = StringOf(document, "object");
  if (!object) return Error{"body has no \"object\" string"};
  const JsonPath root;
  DeliverySplitter splitter(raw_body, context);
  try {
    if (*object == "whatsapp_business_account") {
      splitter.SplitWhatsApp(document, root);
    } else if (*object == "instagram") {
      splitter.SplitMessaging(document, kInstagram, root);
    } else if (*object == "page") {
      splitter.SplitMessaging(document, kMessenger, root);
    } else {
      return Error{"unknown object '" + std::string(*object) + "'"};
    }
  } catch (const ShapeError& error) {
    return Error{error.message};
  }
  return splitter.TakeRecords();
}

OutboundRecord RawDeliveryRecord(std::string_view raw_body, const DeliveryContext& context) {
  const std::string event_id = EventIdFor({kRawTopic, raw_body});
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteField(writer, "event_id", event_id);
  WriteField(writer, "schema", kRawSchema);
  WriteField(writer, "source", "meta");
  WriteTimestamp(writer, "received_at", context.received_at_ms);
  WriteField(writer, "trace_id", context.trace_id);
  // A body that is not UTF-8 cannot be a JSON string; base64 keeps it exactly.
  const bool utf8 = IsValidUtf8(raw_body);
  WriteField(writer, "body_encoding", utf8 ? "utf8" : "base64");
  if (utf8) {
    writer.Key("body");
    writer.String(raw_body.data(), static_cast<rapidjson::SizeType>(raw_body.size()));
  } else {
    WriteField(writer, "body", Base64Encode(raw_body));
  }
  writer.EndObject();
  return MakeRecord(kRawTopic, event_id, std::string(buffer.GetString(), buffer.GetSize()),
                    event_id, kRawSchema, context);
}

OutboundRecord DeadLetterRecord(const OutboundRecord& original, std::string_view stage,
                                std::string_view error, std::int64_t failed_at_ms) {
  return DeadLetterFor(original, DeadLetterInfo{.stage = std::string(stage),
                                                .error = std::string(error),
                                                .attempts = 1,
                                                .first_failure_ms = failed_at_ms,
                                                .last_failure_ms = failed_at_ms});
}

}  // namespace switchboard::ingest
