// The topic contract units of the pipeline's own topics: what they encode validates against the
// topic's schema, each schema's examples decode, and what decodes is what was encoded.
#include <doctest/doctest.h>

#include <string>

#include "common/json.hpp"
#include "common/kafka_record.hpp"
#include "common/topics/messages_resolved.hpp"
#include "common/topics/record.hpp"
#include "common/topics/replies_outbound.hpp"
#include "common/topics/usage_events.hpp"
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
