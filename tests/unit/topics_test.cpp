// The topic contract units of the pipeline's own topics: what they encode validates against the
// topic's schema, each schema's examples decode, and what decodes is what was encoded.
#include <doctest/doctest.h>

#include <string>

#include "common/dead_letter.hpp"
#include "common/json.hpp"
#include "common/kafka_record.hpp"
#include "common/topics/delivery_status.hpp"
#include "common/topics/messages_inbound.hpp"
#include "common/topics/messages_resolved.hpp"
#include "common/topics/record.hpp"
#include "common/topics/replies_outbound.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/tools_results.hpp"
#include "common/topics/usage_events.hpp"
#include "common/topics/voice_events.hpp"
#include "common/topics/webhooks_raw.hpp"
#include "tests/support/topic_schema.hpp"

namespace {

using namespace switchboard;
using switchboard::testing::SchemaForTopic;

constexpr char kBusiness[] = "6f1c2a9e-1d3b-4c5e-9f70-8a1b2c3d4e5f";
constexpr char kCustomer[] = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
constexpr char kConversation[] = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
constexpr char kInbound[] = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f";
constexpr char kAssistant[] = "3d4e5f6a-7b8c-4d9e-8f0a-2b3c4d5e6f7a";

/// The record as a consumer receives it.
ConsumedRecord Consumed(const OutboundRecord& record) {
  return {
      .topic = record.topic, .key = record.key, .value = record.value, .headers = record.headers};
}

void CheckValid(const OutboundRecord& record) {
  const std::string problems = SchemaForTopic(record.topic).Problems(record.value);
  CHECK_MESSAGE(problems.empty(), problems << "\n  value: " << record.value);
}

/// Each example of the topic's schema, as a consumed record without headers.
template <typename Visit>
void ForEachExample(const std::string& topic, Visit visit) {
  const auto& examples = SchemaForTopic(topic).document["examples"];
  REQUIRE(examples.Size() >= 1);
  for (const auto& example : examples.GetArray()) {
    visit(ConsumedRecord{.topic = topic, .value = json::Serialize(example)});
  }
}

topics::ResolvedMessage SampleResolved() {
  return {.event_id = topics::MessagesResolved::EventId(kInbound),
          .business_id = kBusiness,
          .customer_id = kCustomer,
          .conversation_id = kConversation,
          .message_id = kInbound,
          .channel = "whatsapp",
          .channel_account_id = "100000000000001",
          .sender_id = "4915112345678",
          .platform_message_id = "wamid.abc",
          .type = "text",
          .text = "What does a cleaning cost?",
          .sent_at = "2024-05-01T09:30:00.000Z",
          .received_at = "2024-05-01T09:30:00.123Z",
          .standby = true,
          .trace_id = "trace-1"};
}

topics::Reply SampleReply() {
  return {.event_id = topics::RepliesOutbound::EventId(kInbound),
          .business_id = kBusiness,
          .customer_id = kCustomer,
          .conversation_id = kConversation,
          .message_id = kAssistant,
          .in_reply_to = kInbound,
          .channel = "whatsapp",
          .channel_account_id = "100000000000001",
          .recipient_id = "4915112345678",
          .reply_to_platform_message_id = "wamid.abc",
          .text = "A cleaning costs 80 EUR.",
          .kind = "ai",
          .trace_id = "trace-1"};
}

topics::UsageEvent SampleUsage() {
  return {.event_id = topics::UsageEvents::EventId("reply", kInbound),
          .business_id = kBusiness,
          .kind = "reply",
          .occurred_at = "2024-05-01T09:30:01.000Z",
          .messages = 1,
          .llm_tokens = 321,
          .voice_seconds = 0,
          .trace_id = "trace-1"};
}

}  // namespace

TEST_CASE("messages.resolved: encoded values follow the schema and decode to what was encoded") {
  const topics::ResolvedMessage sent = SampleResolved();
  const OutboundRecord record = topics::MessagesResolved::Encode(sent);
  CHECK(record.topic == "messages.resolved");
  CHECK(record.key == "whatsapp:100000000000001:4915112345678");
  CHECK(FindHeader(record.headers, "schema") == "messages.resolved/1");
  CHECK(FindHeader(record.headers, "tenant") == kBusiness);
  CHECK(FindHeader(record.headers, "event-id") == sent.event_id);
  CheckValid(record);
  const auto decoded = topics::MessagesResolved::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->message_id == sent.message_id);
  CHECK(decoded->platform_message_id == sent.platform_message_id);
  CHECK(decoded->sent_at == sent.sent_at);
  CHECK(decoded->standby);
  CHECK(decoded->text == sent.text);
  CHECK(decoded->trace_id == "trace-1");
  ForEachExample("messages.resolved", [](const ConsumedRecord& example) {
    const auto result = topics::MessagesResolved::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::MessagesResolved::Encode(*result));
  });
}

TEST_CASE("replies.outbound: encoded values follow the schema and decode to what was encoded") {
  const topics::Reply sent = SampleReply();
  const OutboundRecord record = topics::RepliesOutbound::Encode(sent);
  CHECK(record.key == "whatsapp:100000000000001:4915112345678");
  CHECK(FindHeader(record.headers, "schema") == "replies.outbound/1");
  CheckValid(record);
  const auto decoded = topics::RepliesOutbound::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->text == sent.text);
  CHECK(decoded->in_reply_to == sent.in_reply_to);
  CHECK(decoded->reply_to_platform_message_id == sent.reply_to_platform_message_id);
  CHECK(decoded->kind == "ai");
  ForEachExample("replies.outbound", [](const ConsumedRecord& example) {
    const auto result = topics::RepliesOutbound::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::RepliesOutbound::Encode(*result));
  });
}

TEST_CASE("usage.events: encoded values follow the schema and decode to what was encoded") {
  const topics::UsageEvent sent = SampleUsage();
  const OutboundRecord record = topics::UsageEvents::Encode(sent);
  CHECK(record.key == kBusiness);
  CheckValid(record);
  const auto decoded = topics::UsageEvents::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->llm_tokens == 321);
  CHECK(decoded->messages == 1);
  CHECK(decoded->occurred_at == sent.occurred_at);
  ForEachExample("usage.events", [](const ConsumedRecord& example) {
    const auto result = topics::UsageEvents::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::UsageEvents::Encode(*result));
  });
}

TEST_CASE("a decoder names the member that breaks the contract") {
  const auto without = [](const OutboundRecord& record, const char* member) {
    auto parsed = json::Parse(record.value);
    REQUIRE(parsed.ok());
    rapidjson::Document document = std::move(parsed).value();
    document.RemoveMember(member);
    return ConsumedRecord{.topic = record.topic, .value = json::Serialize(document)};
  };
  const auto reply = topics::RepliesOutbound::Decode(
      without(topics::RepliesOutbound::Encode(SampleReply()), "recipient_id"));
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().message == "replies.outbound: recipient_id is missing or not a string");
  CHECK_FALSE(reply.error().retryable);
  const auto usage = topics::UsageEvents::Decode(
      {.topic = "usage.events",
       .value = R"({"schema":"usage.events/1","event_id":"e","business_id":"b",)"
                R"("occurred_at":"2024-05-01T09:30:01Z","messages":-1})"});
  REQUIRE_FALSE(usage.ok());
  CHECK(usage.error().message == "usage.events: messages is not a non-negative integer");
  const auto other_schema =
      topics::MessagesResolved::Decode(Consumed(topics::RepliesOutbound::Encode(SampleReply())));
  REQUIRE_FALSE(other_schema.ok());
  CHECK(other_schema.error().message == "messages.resolved: schema is not messages.resolved/1");
  CHECK(topics::MessagesResolved::Decode({.value = "[1]"}).error().message ==
        "messages.resolved value is not a JSON object");
}

TEST_CASE("the trace id falls back to the trace-id header") {
  topics::Reply reply = SampleReply();
  reply.trace_id.clear();
  OutboundRecord record = topics::RepliesOutbound::Encode(reply);
  ConsumedRecord consumed = Consumed(record);
  consumed.headers = {{"trace-id", "from-header"}};
  const auto decoded = topics::RepliesOutbound::Decode(consumed);
  REQUIRE(decoded.ok());
  CHECK(decoded->trace_id == "from-header");
}

namespace {

topics::RawDelivery SampleRaw(std::string body) {
  return {.event_id = topics::WebhooksRaw::EventId(body),
          .source = "meta",
          .received_at = "2024-05-01T09:40:00.123Z",
          .trace_id = "trace-1",
          .body = std::move(body)};
}

/// A WhatsApp image, as ingest makes it.
topics::InboundMessage SampleInbound() {
  return {.event_id = topics::MessagesInbound::EventId("whatsapp", "wamid.image1"),
          .channel = "whatsapp",
          .channel_account_id = "106540352242922",
          .sender_id = "16505551234",
          .sender_name = "Sheena Nelson",
          .sender_phone = "+16505551234",
          .platform_message_id = "wamid.image1",
          .sent_at = "2024-05-01T09:30:01.000Z",
          .received_at = "2024-05-01T09:40:00.123Z",
          .reply_to = "wamid.ourreply1",
          .type = "image",
          .text = "This one",
          .media = topics::InboundMedia{.id = "1003383421387256",
                                        .mime_type = "image/jpeg",
                                        .sha256 = "zpBd9LvbNKnYMkt8+8QW2Ml6Sw6hrFq+r2qGWAu0j34=",
                                        .caption = "This one"},
          .trace_id = "trace-1"};
}

/// Every type-specific part at once (no platform sends that, but the schema allows it).
topics::InboundMessage SampleInboundWithEveryPart() {
  topics::InboundMessage message = SampleInbound();
  message.channel = "messenger";
  message.sender_name.reset();
  message.sender_phone.clear();
  message.standby = true;
  message.type = "unsupported";
  message.original_type = "story_mention";
  message.text = "";  // present and empty is kept
  message.location = topics::InboundLocation{
      .latitude = 37.483872, .longitude = -122.148358, .name = "Philz Coffee"};
  message.attachments = {{.type = "image", .url = "https://lookaside.example/1"}, {.type = "file"}};
  message.contacts_json = R"([{"name":{"formatted_name":"Kim"},"phones":[{"wa_id":"1940"}]}])";
  message.interactive = topics::InboundChoice{
      .type = "list_reply", .id = "slot-1", .title = "Friday 10:00", .description = "30 min"};
  message.reaction = topics::InboundReaction{.message_id = "m_1", .emoji = "", .action = "react"};
  message.errors = {{.code = 131051,
                     .title = "Unsupported message type",
                     .details = "Message type is currently not supported."}};
  return message;
}

topics::StatusEvent SampleStatus() {
  return {.event_id = topics::DeliveryStatus::EventId("whatsapp", "wamid.ourreply2", "failed",
                                                      "1714555970"),
          .channel = "whatsapp",
          .channel_account_id = "106540352242922",
          .platform_message_id = "wamid.ourreply2",
          .status = "failed",
          .recipient_id = "4915112345678",
          .timestamp = "2024-05-01T09:32:50.000Z",
          .received_at = "2024-05-01T09:40:00.123Z",
          .errors = {{.code = 131047,
                      .title = "Re-engagement message",
                      .message = "Re-engagement message",
                      .details = "More than 24 hours have passed.",
                      .href = "https://developers.facebook.com/docs/whatsapp/"}},
          .conversation_json = R"({"id":"c1","origin":{"type":"service"}})",
          .pricing_json = R"({"billable":true,"pricing_model":"CBP","category":"service"})",
          .biz_opaque_callback_data = "reply-42",
          .trace_id = "trace-1"};
}

}  // namespace

TEST_CASE("webhooks.raw: the body is kept exactly, as text or as base64, and decodes back") {
  const topics::RawDelivery sent = SampleRaw(R"({"object":"page","entry":[]})");
  const OutboundRecord record = topics::WebhooksRaw::Encode(sent);
  CHECK(record.topic == "webhooks.raw");
  CHECK(record.key == sent.event_id);
  CHECK(sent.event_id == topics::WebhooksRaw::EventId(sent.body));
  CHECK(FindHeader(record.headers, "schema") == "webhooks.raw/1");
  CHECK_FALSE(FindHeader(record.headers, "tenant"));
  CheckValid(record);
  const auto decoded = topics::WebhooksRaw::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->body == sent.body);
  CHECK(decoded->source == "meta");
  CHECK(decoded->received_at == sent.received_at);
  CHECK(decoded->trace_id == "trace-1");

  const topics::RawDelivery binary = SampleRaw(std::string("{\"a\":\"\xff\xfe\"}\0x", 12));
  const OutboundRecord base64 = topics::WebhooksRaw::Encode(binary);
  CheckValid(base64);
  CHECK(base64.value.find(R"("body_encoding":"base64","body":"eyJhIjoi//4ifQB4")") !=
        std::string::npos);
  const auto bytes = topics::WebhooksRaw::Decode(Consumed(base64));
  REQUIRE(bytes.ok());
  CHECK(bytes->body == binary.body);

  ForEachExample("webhooks.raw", [](const ConsumedRecord& example) {
    const auto result = topics::WebhooksRaw::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::WebhooksRaw::Encode(*result));
  });
}

TEST_CASE("messages.inbound: encoded values follow the schema and decode to what was encoded") {
  const topics::InboundMessage sent = SampleInbound();
  const OutboundRecord record = topics::MessagesInbound::Encode(sent);
  CHECK(record.topic == "messages.inbound");
  CHECK(record.key == "whatsapp:106540352242922:16505551234");
  CHECK(FindHeader(record.headers, "schema") == "messages.inbound/1");
  CHECK(FindHeader(record.headers, "event-id") == sent.event_id);
  CHECK_FALSE(FindHeader(record.headers, "tenant"));  // not known before the resolver
  CheckValid(record);
  const auto decoded = topics::MessagesInbound::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->sender_name == "Sheena Nelson");
  CHECK(decoded->sender_phone == "+16505551234");
  CHECK(decoded->platform_message_id == "wamid.image1");
  CHECK(decoded->reply_to == "wamid.ourreply1");
  CHECK(decoded->text == "This one");
  REQUIRE(decoded->media.has_value());
  CHECK(decoded->media->mime_type == "image/jpeg");
  CHECK_FALSE(decoded->media->url.has_value());
  CHECK_FALSE(decoded->location.has_value());
  CHECK(topics::MessagesInbound::Encode(*decoded).value == record.value);

  const topics::InboundMessage full = SampleInboundWithEveryPart();
  const OutboundRecord every_part = topics::MessagesInbound::Encode(full);
  CHECK(every_part.key == "messenger:106540352242922:16505551234");
  CheckValid(every_part);
  const auto parts = topics::MessagesInbound::Decode(Consumed(every_part));
  REQUIRE(parts.ok());
  CHECK(parts->standby);
  CHECK(parts->original_type == "story_mention");
  CHECK(parts->text == "");
  CHECK_FALSE(parts->sender_name.has_value());
  REQUIRE(parts->location.has_value());
  CHECK(parts->location->latitude == doctest::Approx(37.483872));
  REQUIRE(parts->attachments.size() == 2);
  CHECK_FALSE(parts->attachments[1].url.has_value());
  CHECK(parts->contacts_json == full.contacts_json);
  REQUIRE(parts->interactive.has_value());
  CHECK(parts->interactive->description == "30 min");
  REQUIRE(parts->reaction.has_value());
  CHECK(parts->reaction->emoji == "");
  REQUIRE(parts->errors.size() == 1);
  CHECK(parts->errors[0].code == 131051);
  CHECK_FALSE(parts->errors[0].message.has_value());
  CHECK(topics::MessagesInbound::Encode(*parts).value == every_part.value);

  ForEachExample("messages.inbound", [](const ConsumedRecord& example) {
    const auto result = topics::MessagesInbound::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::MessagesInbound::Encode(*result));
  });
}

TEST_CASE("messages.inbound: the decoder names what breaks the contract") {
  auto parsed = json::Parse(topics::MessagesInbound::Encode(SampleInbound()).value);
  REQUIRE(parsed.ok());
  rapidjson::Document document = std::move(parsed).value();
  document.RemoveMember("sender_id");
  const auto no_sender = topics::MessagesInbound::Decode(
      {.topic = "messages.inbound", .value = json::Serialize(document)});
  REQUIRE_FALSE(no_sender.ok());
  CHECK(no_sender.error().message == "messages.inbound: sender_id is missing or not a string");
  CHECK_FALSE(no_sender.error().retryable);
  CHECK(topics::MessagesInbound::Decode({.value = "[1]"}).error().message ==
        "messages.inbound value is not a JSON object");
  topics::InboundMessage telegram = SampleInbound();
  telegram.channel = "telegram";
  CHECK(topics::MessagesInbound::Decode(Consumed(topics::MessagesInbound::Encode(telegram)))
            .error()
            .message == "messages.inbound: unsupported channel telegram");
}

TEST_CASE("delivery.status: encoded values follow the schema and decode to what was encoded") {
  const topics::StatusEvent sent = SampleStatus();
  const OutboundRecord record = topics::DeliveryStatus::Encode(sent);
  CHECK(record.topic == "delivery.status");
  CHECK(record.key == "whatsapp:106540352242922:4915112345678");
  CHECK(FindHeader(record.headers, "schema") == "delivery.status/1");
  CheckValid(record);
  const auto decoded = topics::DeliveryStatus::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->platform_message_id == "wamid.ourreply2");
  CHECK(decoded->status == "failed");
  CHECK(decoded->recipient_id == "4915112345678");
  CHECK(decoded->biz_opaque_callback_data == "reply-42");
  CHECK(decoded->pricing_json == sent.pricing_json);
  REQUIRE(decoded->errors.size() == 1);
  CHECK(decoded->errors[0].code == 131047);
  CHECK(topics::ErrorsJson(decoded->errors) ==
        R"([{"code":131047,"title":"Re-engagement message","message":"Re-engagement message",)"
        R"("details":"More than 24 hours have passed.",)"
        R"("href":"https://developers.facebook.com/docs/whatsapp/"}])");
  CHECK(topics::ErrorsJson({}) == "[]");
  CHECK(topics::DeliveryStatus::Encode(*decoded).value == record.value);

  // A system-level error has no message and no recipient: keyed by the account alone.
  const topics::StatusEvent system_error{.event_id = topics::DeliveryStatus::SystemErrorEventId(
                                             "whatsapp", "106540352242922", "digest", "entry[0]"),
                                         .channel = "whatsapp",
                                         .channel_account_id = "106540352242922",
                                         .status = "error",
                                         .received_at = "2024-05-01T09:40:00.123Z",
                                         .errors = {{.code = 131056}},
                                         .trace_id = "trace-1"};
  const OutboundRecord error_record = topics::DeliveryStatus::Encode(system_error);
  CHECK(error_record.key == "whatsapp:106540352242922");
  CheckValid(error_record);
  const auto error_decoded = topics::DeliveryStatus::Decode(Consumed(error_record));
  REQUIRE(error_decoded.ok());
  CHECK_FALSE(error_decoded->platform_message_id.has_value());
  CHECK(error_decoded->recipient_id.empty());

  ForEachExample("delivery.status", [](const ConsumedRecord& example) {
    const auto result = topics::DeliveryStatus::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::DeliveryStatus::Encode(*result));
  });
  const auto missing = topics::DeliveryStatus::Decode(
      {.value = R"({"schema":"delivery.status/1","event_id":"e1","channel":"whatsapp"})"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message ==
        "delivery.status: channel_account_id is missing or not a string");
}

TEST_CASE("<topic>.dlq: dead letters follow the schema and decode to the record they keep") {
  const ConsumedRecord original{.topic = "messages.inbound",
                                .partition = 3,
                                .offset = 42,
                                .key = "whatsapp:1:2",
                                .value = std::string("\x80not utf8", 9),
                                .headers = {{"event-id", "e"},
                                            {"schema", "messages.inbound/1"},
                                            {"trace-id", "trace-1"},
                                            {"binary", "\xff"}},
                                .timestamp_ms = 1714556400000};
  const OutboundRecord letter = DeadLetterFor(original, {.stage = "resolver",
                                                         .error = "no integration",
                                                         .attempts = 5,
                                                         .first_failure_ms = 1714556400000,
                                                         .last_failure_ms = 1714556460000});
  CHECK(letter.topic == "messages.inbound.dlq");
  CHECK(letter.topic == DeadLetterTopic(original.topic));
  CheckValid(letter);
  const auto decoded = DecodeDeadLetter(Consumed(letter));
  REQUIRE(decoded.ok());
  CHECK(decoded->original_topic == "messages.inbound");
  CHECK(decoded->original_partition == 3);
  CHECK(decoded->original_offset == 42);
  CHECK(decoded->original_timestamp == "2024-05-01T09:40:00.000Z");
  CHECK(decoded->key == original.key);
  CHECK(decoded->value == original.value);  // base64 in the envelope, bytes again here
  REQUIRE(decoded->headers.size() == original.headers.size());
  CHECK(decoded->headers[3].value == "\xff");
  CHECK(decoded->stage == "resolver");
  CHECK(decoded->attempts == 5);
  CHECK(decoded->last_failure_at == "2024-05-01T09:41:00.000Z");
  CHECK(decoded->trace_id == "trace-1");

  // Ingest's dead letter of a record that never reached Kafka.
  const OutboundRecord raw = topics::WebhooksRaw::Encode(SampleRaw(R"({"object":"foo"})"));
  const OutboundRecord ingest_letter =
      DeadLetterRecord(raw, "ingest", "unknown object 'foo'", 1714556400200);
  CHECK(ingest_letter.topic == "webhooks.raw.dlq");
  CheckValid(ingest_letter);
  const auto from_ingest = DecodeDeadLetter(Consumed(ingest_letter));
  REQUIRE(from_ingest.ok());
  CHECK(from_ingest->original_partition == -1);
  CHECK(from_ingest->original_offset == -1);
  CHECK(from_ingest->original_timestamp.empty());
  CHECK(from_ingest->value == raw.value);
  CHECK(from_ingest->attempts == 1);

  ForEachExample("webhooks.raw.dlq", [](const ConsumedRecord& example) {
    const auto result = DecodeDeadLetter(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CHECK(result->original_topic == "webhooks.raw");
  });
  CHECK(DecodeDeadLetter({.topic = "x.dlq", .value = "{}"}).error().message ==
        "x.dlq: schema is not dead-letter/1");
}

namespace {

topics::ToolCallRequest SampleToolRequest() {
  return {.event_id = topics::ToolsRequests::EventId("call_8Jd2kQm1"),
          .tool_call_id = "call_8Jd2kQm1",
          .call_id = "vapi-call-1",
          .business_id = kBusiness,
          .caller = "+4915112345678",
          .tool = "book_appointment",
          .arguments_json = R"({"service":"Cleaning","start":"2024-05-02T10:00"})",
          .correlation_id = "corr-1",
          .reply_to = "ingest-a",
          .requested_at = "2024-05-01T09:30:00.123Z",
          .deadline_at = "2024-05-01T09:30:04.123Z",
          .trace_id = "trace-1"};
}

topics::ToolCallResult SampleToolResult() {
  return {.event_id = topics::ToolsResults::EventId("vapi-call-1", "call_8Jd2kQm1"),
          .tool_call_id = "call_8Jd2kQm1",
          .call_id = "vapi-call-1",
          .business_id = kBusiness,
          .tool = "book_appointment",
          .correlation_id = "corr-1",
          .reply_to = "ingest-a",
          .text = "You're booked for Cleaning on Thursday, May 2 at 10:00.",
          .completed_at = "2024-05-01T09:30:00.311Z",
          .trace_id = "trace-1"};
}

}  // namespace

TEST_CASE("tools.requests: encoded values follow the schema and decode to what was encoded") {
  const topics::ToolCallRequest sent = SampleToolRequest();
  const OutboundRecord record = topics::ToolsRequests::Encode(sent);
  CHECK(record.topic == "tools.requests");
  CHECK(record.key == "vapi-call-1");
  CHECK(FindHeader(record.headers, "schema") == "tools.requests/1");
  CHECK(FindHeader(record.headers, "tenant") == kBusiness);
  CHECK(FindHeader(record.headers, "event-id") == "call_8Jd2kQm1");
  CheckValid(record);
  const auto decoded = topics::ToolsRequests::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->tool_call_id == sent.tool_call_id);
  CHECK(decoded->caller == sent.caller);
  CHECK(decoded->tool == sent.tool);
  CHECK(decoded->arguments_json == sent.arguments_json);
  CHECK(decoded->correlation_id == sent.correlation_id);
  CHECK(decoded->reply_to == sent.reply_to);
  CHECK(decoded->requested_at == sent.requested_at);
  CHECK(decoded->deadline_at == sent.deadline_at);

  // No arguments and no number (a web call) are valid too.
  topics::ToolCallRequest bare = sent;
  bare.arguments_json.clear();
  bare.caller.clear();
  const OutboundRecord bare_record = topics::ToolsRequests::Encode(bare);
  CheckValid(bare_record);
  const auto bare_decoded = topics::ToolsRequests::Decode(Consumed(bare_record));
  REQUIRE(bare_decoded.ok());
  CHECK(bare_decoded->arguments_json == "{}");
  CHECK(bare_decoded->caller.empty());

  // Arguments that are not an object break the contract.
  topics::ToolCallRequest listed = sent;
  listed.arguments_json = "[1,2]";
  const auto refused =
      topics::ToolsRequests::Decode(Consumed(topics::ToolsRequests::Encode(listed)));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "tools.requests: arguments is missing or not an object");
  CHECK_FALSE(refused.error().retryable);

  ForEachExample("tools.requests", [](const ConsumedRecord& example) {
    const auto result = topics::ToolsRequests::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::ToolsRequests::Encode(*result));
  });
}

TEST_CASE("tools.results: encoded values follow the schema, carry reply-to, and decode back") {
  const topics::ToolCallResult sent = SampleToolResult();
  const OutboundRecord record = topics::ToolsResults::Encode(sent);
  CHECK(record.topic == "tools.results");
  CHECK(record.key == "vapi-call-1");
  CHECK(FindHeader(record.headers, "schema") == "tools.results/1");
  CHECK(FindHeader(record.headers, "reply-to") == "ingest-a");
  CHECK(topics::ToolsResults::ReplyTo(Consumed(record)) == "ingest-a");
  CHECK(record.value.find(R"("result":"You're booked)") != std::string::npos);
  CHECK(record.value.find(R"("error")") == std::string::npos);
  CheckValid(record);
  const auto decoded = topics::ToolsResults::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->text == sent.text);
  CHECK_FALSE(decoded->failed);
  CHECK(decoded->correlation_id == "corr-1");
  CHECK(decoded->completed_at == sent.completed_at);

  topics::ToolCallResult failed = sent;
  failed.failed = true;
  failed.text = "I need the date you would like.";
  const OutboundRecord error_record = topics::ToolsResults::Encode(failed);
  CHECK(error_record.value.find(R"("error":"I need the date you would like.")") !=
        std::string::npos);
  CHECK(error_record.value.find(R"("result")") == std::string::npos);
  CheckValid(error_record);
  const auto error_decoded = topics::ToolsResults::Decode(Consumed(error_record));
  REQUIRE(error_decoded.ok());
  CHECK(error_decoded->failed);
  CHECK(error_decoded->text == failed.text);

  // Neither result nor error, or both, break the contract (and the schema).
  auto parsed = json::Parse(record.value);
  REQUIRE(parsed.ok());
  rapidjson::Document both = std::move(parsed).value();
  both.AddMember("error", "no", both.GetAllocator());
  CHECK_FALSE(SchemaForTopic("tools.results").Problems(json::Serialize(both)).empty());
  const auto refused =
      topics::ToolsResults::Decode({.topic = "tools.results", .value = json::Serialize(both)});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "tools.results: result or error (exactly one) is needed");

  ForEachExample("tools.results", [](const ConsumedRecord& example) {
    const auto result = topics::ToolsResults::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::ToolsResults::Encode(*result));
  });
}

TEST_CASE("voice.events: encoded values follow the schema and carry the report as received") {
  const std::string report =
      R"({"type":"end-of-call-report","endedReason":"customer-ended-call",)"
      R"("call":{"id":"vapi-call-1","customer":{"number":"+4915112345678"}},)"
      R"("artifact":{"transcript":"User: Hi"},"durationSeconds":12.5})";
  const topics::VoiceEvent sent{
      .event_id = topics::VoiceEvents::EventId("vapi-call-1", "end-of-call-report"),
      .type = "end-of-call-report",
      .call_id = "vapi-call-1",
      .business_id = kBusiness,
      .caller = "+4915112345678",
      .phone_number_id = "pn-1",
      .received_at = "2024-05-01T09:35:12.345Z",
      .report_json = report,
      .trace_id = "trace-1"};
  CHECK(sent.event_id == "vapi:vapi-call-1:end-of-call-report");
  const OutboundRecord record = topics::VoiceEvents::Encode(sent);
  CHECK(record.topic == "voice.events");
  CHECK(record.key == "+4915112345678");
  CHECK(FindHeader(record.headers, "schema") == "voice.events/1");
  CHECK(FindHeader(record.headers, "tenant") == kBusiness);
  CHECK(FindHeader(record.headers, "event-id") == "vapi:vapi-call-1:end-of-call-report");
  CHECK(record.value.find(R"("report":)" + report) != std::string::npos);
  CheckValid(record);
  const auto decoded = topics::VoiceEvents::Decode(Consumed(record));
  REQUIRE(decoded.ok());
  CHECK(decoded->event_id == sent.event_id);
  CHECK(decoded->type == sent.type);
  CHECK(decoded->call_id == sent.call_id);
  CHECK(decoded->business_id == sent.business_id);
  CHECK(decoded->caller == sent.caller);
  CHECK(decoded->phone_number_id == sent.phone_number_id);
  CHECK(decoded->received_at == sent.received_at);
  CHECK(decoded->report_json == report);
  CHECK(decoded->trace_id == sent.trace_id);

  // A web call has no number: the key is the call id, and the value still follows the schema.
  topics::VoiceEvent web = sent;
  web.caller.clear();
  web.phone_number_id.clear();
  const OutboundRecord web_record = topics::VoiceEvents::Encode(web);
  CHECK(web_record.key == "vapi-call-1");
  CheckValid(web_record);
  const auto web_decoded = topics::VoiceEvents::Decode(Consumed(web_record));
  REQUIRE(web_decoded.ok());
  CHECK(web_decoded->caller.empty());

  // A report that is not an object breaks the contract, and so does a missing caller member.
  topics::VoiceEvent listed = sent;
  listed.report_json = "[1]";
  const auto refused = topics::VoiceEvents::Decode(Consumed(topics::VoiceEvents::Encode(listed)));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "voice.events: report is missing or not an object");
  CHECK_FALSE(refused.error().retryable);
  auto parsed = json::Parse(record.value);
  REQUIRE(parsed.ok());
  rapidjson::Document no_caller = std::move(parsed).value();
  no_caller.RemoveMember("caller");
  const auto no_caller_decoded =
      topics::VoiceEvents::Decode({.topic = "voice.events", .value = json::Serialize(no_caller)});
  REQUIRE_FALSE(no_caller_decoded.ok());
  CHECK(no_caller_decoded.error().message == "voice.events: caller is missing or not a string");

  ForEachExample("voice.events", [](const ConsumedRecord& example) {
    const auto result = topics::VoiceEvents::Decode(example);
    CHECK_MESSAGE(result.ok(), example.value);
    if (result.ok()) CheckValid(topics::VoiceEvents::Encode(*result));
  });
}
