#include "common/topics/messages_inbound.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {
namespace {

void WriteMedia(json::Writer& writer, const InboundMedia& media) {
  writer.Key("media")
      .StartObject()
      .Field("id", media.id)
      .Field("url", media.url)
      .Field("mime_type", media.mime_type)
      .Field("sha256", media.sha256)
      .Field("caption", media.caption)
      .Field("filename", media.filename)
      .EndObject();
}

void WriteLocation(json::Writer& writer, const InboundLocation& location) {
  writer.Key("location").StartObject();
  if (location.latitude) writer.Field("latitude", *location.latitude);
  if (location.longitude) writer.Field("longitude", *location.longitude);
  writer.Field("name", location.name)
      .Field("address", location.address)
      .Field("url", location.url)
      .EndObject();
}

void WriteAttachments(json::Writer& writer, const std::vector<InboundAttachment>& attachments) {
  writer.Key("attachments").StartArray();
  for (const InboundAttachment& attachment : attachments) {
    writer.StartObject().Field("type", attachment.type).Field("url", attachment.url).EndObject();
  }
  writer.EndArray();
}

void WriteChoice(json::Writer& writer, const InboundChoice& choice) {
  writer.Key("interactive")
      .StartObject()
      .Field("type", choice.type)
      .Field("id", choice.id)
      .Field("title", choice.title)
      .Field("description", choice.description)
      .EndObject();
}

void WriteReaction(json::Writer& writer, const InboundReaction& reaction) {
  writer.Key("reaction")
      .StartObject()
      .Field("message_id", reaction.message_id)
      .Field("emoji", reaction.emoji)
      .Field("action", reaction.action)
      .EndObject();
}

/// The object member `name` of `value`, or nullptr.
const json::Value* ObjectMember(const json::Value& value, std::string_view name) {
  const json::Value* member = json::Find(value, name);
  return member != nullptr && member->IsObject() ? member : nullptr;
}

}  // namespace

std::string MessagesInbound::EventId(std::string_view channel,
                                     std::string_view platform_message_id) {
  return EventIdFor({kTopic, channel, platform_message_id});
}

std::string MessagesInbound::ReactionEventId(std::string_view channel, std::string_view account,
                                             std::string_view sender, std::string_view message_id,
                                             std::string_view action, std::string_view timestamp) {
  return EventIdFor({kTopic, channel, account, sender, "reaction", message_id, action, timestamp});
}

std::string MessagesInbound::PostbackEventId(std::string_view channel, std::string_view account,
                                             std::string_view sender, std::string_view payload,
                                             std::string_view timestamp) {
  return EventIdFor({kTopic, channel, account, sender, "postback", payload, timestamp});
}

std::string MessagesInbound::Key(const InboundMessage& message) {
  return ConversationKey(message.channel, message.channel_account_id, message.sender_id);
}

OutboundRecord MessagesInbound::Encode(const InboundMessage& message) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", message.event_id)
      .Field("schema", kSchema)
      .Field("channel", message.channel)
      .Field("channel_account_id", message.channel_account_id)
      .Field("sender_id", message.sender_id)
      .Field("sender_name", message.sender_name)
      .NonEmptyField("sender_phone", message.sender_phone)
      .Field("platform_message_id", message.platform_message_id)
      .NonEmptyField("sent_at", message.sent_at)
      .Field("received_at", message.received_at)
      .Field("reply_to", message.reply_to);
  if (message.standby) writer.Field("standby", true);
  // Messenger and Instagram messages have always carried their text ahead of their type; the
  // order is kept so that the bytes stay as they were (readers never depend on member order).
  const bool text_first = message.channel != "whatsapp" && message.type != "postback";
  if (text_first) writer.Field("text", message.text);
  writer.Field("type", message.type).Field("original_type", message.original_type);
  if (!text_first) writer.Field("text", message.text);
  if (message.media) WriteMedia(writer, *message.media);
  if (message.location) WriteLocation(writer, *message.location);
  if (!message.attachments.empty()) WriteAttachments(writer, message.attachments);
  if (!message.contacts_json.empty()) {
    writer.Key("contacts").JsonOrString(message.contacts_json);
  }
  if (message.interactive) WriteChoice(writer, *message.interactive);
  if (message.reaction) WriteReaction(writer, *message.reaction);
  WriteErrors(writer, message.errors);
  writer.Field("trace_id", message.trace_id).EndObject();
  return {.topic = std::string(kTopic),
          .key = Key(message),
          .value = writer.Take(),
          .headers = RecordHeaders(message.event_id, kSchema, "", message.trace_id)};
}

Result<InboundMessage> MessagesInbound::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  InboundMessage message;
  message.event_id = reader.Required("event_id");
  message.channel = reader.Required("channel");
  message.channel_account_id = reader.Required("channel_account_id");
  message.sender_id = reader.Required("sender_id");
  message.received_at = reader.Required("received_at");
  message.type = reader.Required("type");
  message.sender_phone = reader.Optional("sender_phone");
  message.sent_at = reader.Optional("sent_at");
  message.standby = reader.Flag("standby");
  message.trace_id = reader.Optional("trace_id");
  if (message.trace_id.empty()) {
    message.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }

  const json::Value& value = reader.Object();
  message.sender_name = json::String(value, "sender_name");
  message.platform_message_id = json::String(value, "platform_message_id");
  message.reply_to = json::String(value, "reply_to");
  message.original_type = json::String(value, "original_type");
  message.text = json::String(value, "text");
  if (const json::Value* media = ObjectMember(value, "media")) {
    message.media = InboundMedia{.id = json::String(*media, "id"),
                                 .url = json::String(*media, "url"),
                                 .mime_type = json::String(*media, "mime_type"),
                                 .sha256 = json::String(*media, "sha256"),
                                 .caption = json::String(*media, "caption"),
                                 .filename = json::String(*media, "filename")};
  }
  if (const json::Value* location = ObjectMember(value, "location")) {
    message.location = InboundLocation{.latitude = json::Number(*location, "latitude"),
                                       .longitude = json::Number(*location, "longitude"),
                                       .name = json::String(*location, "name"),
                                       .address = json::String(*location, "address"),
                                       .url = json::String(*location, "url")};
  }
  if (const json::Value* attachments = json::Find(value, "attachments");
      attachments != nullptr && attachments->IsArray()) {
    for (const json::Value& attachment : attachments->GetArray()) {
      message.attachments.push_back(
          {.type = json::String(attachment, "type"), .url = json::String(attachment, "url")});
    }
  }
  if (const json::Value* contacts = json::Find(value, "contacts");
      contacts != nullptr && contacts->IsArray()) {
    message.contacts_json = json::Writer().Copy(*contacts, kFreeFormDepth).Take();
  }
  if (const json::Value* choice = ObjectMember(value, "interactive")) {
    message.interactive = InboundChoice{.type = json::String(*choice, "type").value_or(""),
                                        .id = json::String(*choice, "id"),
                                        .title = json::String(*choice, "title"),
                                        .description = json::String(*choice, "description")};
  }
  if (const json::Value* reaction = ObjectMember(value, "reaction")) {
    message.reaction = InboundReaction{.message_id = json::String(*reaction, "message_id"),
                                       .emoji = json::String(*reaction, "emoji"),
                                       .action = json::String(*reaction, "action")};
  }
  message.errors = ReadErrors(value);

  Result<InboundMessage> result = reader.Finish(std::move(message));
  if (result.ok() && result->channel != "whatsapp" && result->channel != "instagram" &&
      result->channel != "messenger") {
    return Error{std::string(kTopic) + ": unsupported channel " + result->channel, false};
  }
  return result;
}

}  // namespace switchboard::topics
