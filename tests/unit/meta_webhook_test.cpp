#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/dead_letter.hpp"
#include "common/kafka_record.hpp"
#include "ingest/meta_webhook.hpp"

namespace {

using switchboard::ConsumedRecord;
using switchboard::FindHeader;
using switchboard::OutboundRecord;
using namespace switchboard::ingest;

const DeliveryContext kContext{"trace-abc", 1714556400123};  // 2024-05-01T09:40:00.123Z

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(SWITCHBOARD_SOURCE_DIR) + "/tests/fixtures/meta/" + name,
                   std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<OutboundRecord> Split(const std::string& body,
                                  const DeliveryContext& context = kContext) {
  auto result = SplitMetaDelivery(body, context);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  return std::move(result).value();
}

std::string SplitError(const std::string& body) {
  auto result = SplitMetaDelivery(body, kContext);
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

/// A parsed record value; fields read with Str/Has.
struct Json {
  explicit Json(const std::string& text) { document.Parse(text.c_str(), text.size()); }
  bool Has(const char* name) const { return document.HasMember(name); }
  std::string Str(const char* name) const {
    REQUIRE_MESSAGE(document.HasMember(name), "no member " << name);
    REQUIRE(document[name].IsString());
    return document[name].GetString();
  }
  const rapidjson::Value& operator[](const char* name) const {
    REQUIRE_MESSAGE(document.HasMember(name), "no member " << name);
    return document[name];
  }
  rapidjson::Document document;
};

std::string Header(const OutboundRecord& record, const char* name) {
  const auto value = FindHeader(record.headers, name);
  REQUIRE_MESSAGE(value.has_value(), "no header " << name);
  return std::string(*value);
}

/// Every record carries event-id, schema and trace-id headers that match its value.
void CheckEnvelope(const OutboundRecord& record, const std::string& schema) {
  const Json value(record.value);
  REQUIRE_FALSE(value.document.HasParseError());
  CHECK(Header(record, "event-id") == value.Str("event_id"));
  CHECK(Header(record, "schema") == schema);
  CHECK(value.Str("schema") == schema);
  CHECK(Header(record, "trace-id") == kContext.trace_id);
  CHECK(value.Str("trace_id") == kContext.trace_id);
  CHECK(value.Str("received_at") == "2024-05-01T09:40:00.123Z");
}

const OutboundRecord& ByPlatformId(const std::vector<OutboundRecord>& records,
                                   const std::string& id) {
  for (const OutboundRecord& record : records) {
    const Json value(record.value);
    if (value.Has("platform_message_id") && value.Str("platform_message_id") == id) return record;
  }
  FAIL("no record for " << id);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("WhatsApp: every entry, change and message type becomes one messages.inbound record") {
  const auto records = Split(Fixture("whatsapp_messages.json"));
  REQUIRE(records.size() == 15);
  for (const OutboundRecord& record : records) {
    CHECK(record.topic == "messages.inbound");
    CheckEnvelope(record, "messages.inbound/1");
  }
  CHECK(Json(records.back().value).Str("platform_message_id") == "wamid.secondnumber1");
  CHECK(records.back().key == "whatsapp:209876543210987:16505551234");

  SUBCASE("text, with the sender's profile name and phone") {
    const OutboundRecord& record = records.front();
    const Json value(record.value);
    CHECK(record.key == "whatsapp:106540352242922:16505551234");
    CHECK(value.Str("channel") == "whatsapp");
    CHECK(value.Str("channel_account_id") == "106540352242922");
    CHECK(value.Str("sender_id") == "16505551234");
    CHECK(value.Str("sender_name") == "Sheena Nelson");
    CHECK(value.Str("sender_phone") == "+16505551234");
    CHECK(value.Str("type") == "text");
    CHECK(value.Str("text") == "Hi, do you have a slot on Friday?");
    CHECK(value.Str("sent_at") == "2024-05-01T09:30:00.000Z");
    CHECK_FALSE(value.Has("reply_to"));
  }
  SUBCASE("media with caption and reply-to context") {
    const Json value(ByPlatformId(records, "wamid.image1").value);
    CHECK(value.Str("type") == "image");
    CHECK(value.Str("text") == "This one");
    CHECK(value.Str("reply_to") == "wamid.ourreply1");
    CHECK(std::string(value["media"]["id"].GetString()) == "1003383421387256");
    CHECK(std::string(value["media"]["mime_type"].GetString()) == "image/jpeg");
    CHECK(value["media"].HasMember("sha256"));
    const Json document(ByPlatformId(records, "wamid.document1").value);
    CHECK(std::string(document["media"]["filename"].GetString()) == "quote.pdf");
    for (const char* id : {"wamid.audio1", "wamid.video1", "wamid.sticker1"}) {
      const Json media(ByPlatformId(records, id).value);
      CHECK(media["media"].HasMember("id"));
    }
    CHECK(Json(ByPlatformId(records, "wamid.audio1").value).Str("type") == "audio");
    CHECK(Json(ByPlatformId(records, "wamid.video1").value).Str("type") == "video");
    CHECK(Json(ByPlatformId(records, "wamid.sticker1").value).Str("type") == "sticker");
    CHECK_FALSE(Json(ByPlatformId(records, "wamid.audio1").value).Has("text"));
  }
  SUBCASE("location and contacts") {
    const Json location(ByPlatformId(records, "wamid.location1").value);
    CHECK(location.Str("type") == "location");
    CHECK(location["location"]["latitude"].GetDouble() == doctest::Approx(37.483872));
    CHECK(location["location"]["longitude"].GetDouble() == doctest::Approx(-122.148358));
    CHECK(std::string(location["location"]["name"].GetString()) == "Philz Coffee");
    const Json contacts(ByPlatformId(records, "wamid.contacts1").value);
    CHECK(contacts.Str("type") == "contacts");
    REQUIRE(contacts["contacts"].IsArray());
    CHECK(std::string(contacts["contacts"][0]["phones"][0]["wa_id"].GetString()) == "19405551234");
  }
  SUBCASE("interactive replies, template buttons and reactions") {
    const Json button_reply(ByPlatformId(records, "wamid.interactive1").value);
    CHECK(button_reply.Str("type") == "interactive");
    CHECK(button_reply.Str("text") == "Yes, book it");
    CHECK(button_reply.Str("reply_to") == "wamid.ourbuttons");
    CHECK(std::string(button_reply["interactive"]["type"].GetString()) == "button_reply");
    CHECK(std::string(button_reply["interactive"]["id"].GetString()) == "confirm-yes");
    const Json list_reply(ByPlatformId(records, "wamid.interactive2").value);
    CHECK(std::string(list_reply["interactive"]["type"].GetString()) == "list_reply");
    CHECK(std::string(list_reply["interactive"]["description"].GetString()) == "30 min, 25 EUR");
    CHECK(ByPlatformId(records, "wamid.interactive2").key ==
          "whatsapp:106540352242922:4915112345678");
    CHECK(Json(ByPlatformId(records, "wamid.interactive2").value).Str("sender_name") ==
          "Pablo Morales");
    const Json button(ByPlatformId(records, "wamid.button1").value);
    CHECK(button.Str("type") == "button");
    CHECK(button.Str("text") == "Reschedule");
    CHECK(std::string(button["interactive"]["id"].GetString()) == "RESCHEDULE");
    const Json reaction(ByPlatformId(records, "wamid.reaction1").value);
    CHECK(reaction.Str("type") == "reaction");
    CHECK(std::string(reaction["reaction"]["message_id"].GetString()) == "wamid.ourreply1");
    CHECK(std::string(reaction["reaction"]["emoji"].GetString()) == "\xF0\x9F\x91\x8D");
  }
  SUBCASE("unsupported and unknown types are kept with their errors") {
    const Json unsupported(ByPlatformId(records, "wamid.unsupported1").value);
    CHECK(unsupported.Str("type") == "unsupported");
    CHECK(unsupported.Str("original_type") == "unsupported");
    REQUIRE(unsupported["errors"].Size() == 1);
    CHECK(unsupported["errors"][0]["code"].GetInt() == 131051);
    CHECK(std::string(unsupported["errors"][0]["details"].GetString()) ==
          "Message type is currently not supported.");
    const Json order(ByPlatformId(records, "wamid.order1").value);
    CHECK(order.Str("type") == "unsupported");
    CHECK(order.Str("original_type") == "order");
  }
}

TEST_CASE("WhatsApp statuses, with errors, conversation and pricing, go to delivery.status") {
  const auto records = Split(Fixture("whatsapp_statuses.json"));
  REQUIRE(records.size() == 5);  // 4 statuses + 1 system error; the template update is skipped
  for (const OutboundRecord& record : records) {
    CHECK(record.topic == "delivery.status");
    CheckEnvelope(record, "delivery.status/1");
  }
  const Json sent(records[0].value);
  CHECK(records[0].key == "whatsapp:106540352242922:16505551234");
  CHECK(sent.Str("platform_message_id") == "wamid.ourreply1");
  CHECK(sent.Str("status") == "sent");
  CHECK(sent.Str("recipient_id") == "16505551234");
  CHECK(sent.Str("timestamp") == "2024-05-01T09:31:40.000Z");
  CHECK(std::string(sent["conversation"]["origin"]["type"].GetString()) == "service");
  CHECK(std::string(sent["pricing"]["category"].GetString()) == "service");
  CHECK(Json(records[1].value).Str("status") == "delivered");
  CHECK(Json(records[2].value).Str("status") == "read");

  const Json failed(records[3].value);
  CHECK(records[3].key == "whatsapp:106540352242922:4915112345678");
  CHECK(failed.Str("status") == "failed");
  CHECK(failed.Str("biz_opaque_callback_data") == "reply-42");
  REQUIRE(failed["errors"].Size() == 1);
  CHECK(failed["errors"][0]["code"].GetInt() == 131047);
  CHECK(std::string(failed["errors"][0]["title"].GetString()) == "Re-engagement message");
  CHECK(std::string(failed["errors"][0]["details"].GetString()).starts_with("Message failed"));

  const Json system_error(records[4].value);
  CHECK(records[4].key == "whatsapp:106540352242922");
  CHECK(system_error.Str("status") == "error");
  CHECK_FALSE(system_error.Has("platform_message_id"));
  CHECK_FALSE(system_error.Has("recipient_id"));
  CHECK(system_error["errors"][0]["code"].GetInt() == 131056);

  // The same message's statuses are different events.
  std::set<std::string> ids;
  for (const OutboundRecord& record : records) ids.insert(Header(record, "event-id"));
  CHECK(ids.size() == records.size());
}

TEST_CASE("a body with \\u escapes is decoded into UTF-8 and kept escaped in webhooks.raw") {
  const std::string body = Fixture("whatsapp_non_ascii.json");
  const auto records = Split(body);
  REQUIRE(records.size() == 1);
  const Json value(records[0].value);
  CHECK(value.Str("sender_name") == "J\xC3\xBCrgen M\xC3\xA4rz");
  CHECK(value.Str("text") ==
        "Gr\xC3\xBC\xC3\x9F"
        "e! Ist am Dienstag ein Termin f\xC3\xBCr zwei Personen frei? "
        "\xC3\xA4\xC3\xB6\xC3\xBC \xF0\x9F\x98\x80 \"quoted\" back\\slash");

  const OutboundRecord raw = RawDeliveryRecord(body, kContext);
  const Json envelope(raw.value);
  CHECK(envelope.Str("body") == body);  // byte for byte, \u00e4 escapes included
  CHECK(envelope.Str("body").find("\\u00e4") != std::string::npos);
}

TEST_CASE("a lone surrogate escape becomes U+FFFD, so every value stays UTF-8") {
  const auto records = Split(R"({"object":"page","entry":[{"id":"1","messaging":[{"sender":)"
                             R"({"id":"2"},"recipient":{"id":"1"},"timestamp":1,)"
                             R"("message":{"mid":"m","text":"a\udc00b"}}]}]})");
  REQUIRE(records.size() == 1);
  CHECK(Json(records[0].value).Str("text") ==
        "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
        "b");
}

TEST_CASE("missing optional fields are left out and unknown fields are ignored") {
  const auto records = Split(Fixture("whatsapp_minimal.json"));
  REQUIRE(records.size() == 3);
  const Json bare(records[0].value);
  CHECK(bare.Str("type") == "text");
  CHECK_FALSE(bare.Has("text"));
  CHECK_FALSE(bare.Has("sent_at"));
  CHECK_FALSE(bare.Has("sender_name"));
  const Json business_scoped(records[1].value);
  CHECK(business_scoped.Str("sender_id") == "bsuid.8f3a1c");
  CHECK_FALSE(business_scoped.Has("sender_phone"));
  CHECK_FALSE(business_scoped.Has("sent_at"));  // "not-a-number"
  CHECK(records[1].key == "whatsapp:106540352242922:bsuid.8f3a1c");
  const Json flow(records[2].value);
  CHECK(flow.Str("sent_at") == "2024-05-01T09:35:00.000Z");  // numeric timestamp
  CHECK(std::string(flow["interactive"]["type"].GetString()) == "nfm_reply");
}

TEST_CASE("Instagram: messages, attachments, reactions and reads, echoes skipped") {
  const auto records = Split(Fixture("instagram.json"));
  REQUIRE(records.size() == 5);
  const std::string key = "instagram:17841400000000001:6543210987654321";
  for (const OutboundRecord& record : records) CHECK(record.key == key);

  const Json text(records[0].value);
  CHECK(records[0].topic == "messages.inbound");
  CheckEnvelope(records[0], "messages.inbound/1");
  CHECK(text.Str("channel") == "instagram");
  CHECK(text.Str("channel_account_id") == "17841400000000001");
  CHECK(text.Str("sender_id") == "6543210987654321");
  CHECK(text.Str("text") == "Do you do balayage?");
  CHECK(text.Str("sent_at") == "2024-05-01T09:50:00.000Z");

  const Json image(records[1].value);
  CHECK(image.Str("type") == "image");
  CHECK(image.Str("reply_to") == "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjOURS");
  CHECK(std::string(image["media"]["url"].GetString()).starts_with("https://lookaside"));

  const Json story(records[2].value);
  CHECK(story.Str("type") == "unsupported");
  CHECK(story.Str("original_type") == "story_mention");

  const Json reaction(records[3].value);
  CHECK(reaction.Str("type") == "reaction");
  CHECK_FALSE(reaction.Has("platform_message_id"));
  CHECK(std::string(reaction["reaction"]["message_id"].GetString()) ==
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjECHO");
  CHECK(std::string(reaction["reaction"]["emoji"].GetString()) == "\xE2\x9D\xA4\xEF\xB8\x8F");

  CHECK(records[4].topic == "delivery.status");
  CheckEnvelope(records[4], "delivery.status/1");
  const Json read(records[4].value);
  CHECK(read.Str("status") == "read");
  CHECK(read.Str("platform_message_id") == "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjECHO");
  CHECK(read.Str("recipient_id") == "6543210987654321");
}

TEST_CASE("Messenger: echo skipped, delivery per mid, read watermark, quick reply, postback") {
  const auto records = Split(Fixture("messenger.json"));
  REQUIRE(records.size() == 8);
  const std::string key = "messenger:112233445566778:24681357902468135";
  for (const OutboundRecord& record : records) {
    CHECK(record.value.find("m_echo1\",\"sent_at") == std::string::npos);
  }
  const Json text(records[0].value);
  CHECK(records[0].key == key);
  CHECK(text.Str("channel") == "messenger");
  CHECK(text.Str("text") == "Are you open on Sunday?");
  CHECK(text.Str("sent_at") == "2024-05-01T10:06:40.100Z");

  CHECK(records[1].topic == "delivery.status");
  CHECK(records[1].key == key);
  CHECK(Json(records[1].value).Str("platform_message_id") == "m_echo1");
  CHECK(Json(records[1].value).Str("status") == "delivered");
  CHECK(Json(records[1].value).Str("watermark") == "2024-05-01T10:06:40.250Z");
  CHECK(Json(records[2].value).Str("platform_message_id") == "m_echo0");
  CHECK(Header(records[1], "event-id") != Header(records[2], "event-id"));

  const Json read(records[3].value);
  CHECK(read.Str("status") == "read");
  CHECK_FALSE(read.Has("platform_message_id"));
  CHECK(read.Str("watermark") == "2024-05-01T10:06:40.350Z");

  const Json quick(records[4].value);
  CHECK(quick.Str("type") == "interactive");
  CHECK(quick.Str("text") == "Book Sunday 11:00");
  CHECK(std::string(quick["interactive"]["type"].GetString()) == "quick_reply");
  CHECK(std::string(quick["interactive"]["id"].GetString()) == "BOOK_SUN_1100");

  const Json postback(records[5].value);
  CHECK(postback.Str("type") == "postback");
  CHECK(postback.Str("platform_message_id") == "m_postback1");
  CHECK(std::string(postback["interactive"]["id"].GetString()) == "GET_STARTED");

  const Json files(records[6].value);
  CHECK(files.Str("type") == "document");
  CHECK(files["attachments"].Size() == 2);

  const Json standby(records[7].value);
  CHECK(records[7].key == "messenger:112233445566778:13579246801357924");
  CHECK(standby["standby"].GetBool());
}

TEST_CASE("event ids are deterministic: a retried delivery yields the same ids") {
  const std::string body = Fixture("whatsapp_messages.json");
  const auto first = Split(body);
  const auto retried = Split(body, DeliveryContext{"another-trace", 1714560000000});
  REQUIRE(first.size() == retried.size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(Header(first[i], "event-id") == Header(retried[i], "event-id"));
    CHECK(first[i].key == retried[i].key);
    ids.insert(Header(first[i], "event-id"));
  }
  CHECK(ids.size() == first.size());  // different messages, different ids
  for (const std::string& id : ids) {
    CHECK(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[14] == '8');
  }
  CHECK(Header(RawDeliveryRecord(body, kContext), "event-id") ==
        Header(RawDeliveryRecord(body, DeliveryContext{"x", 1}), "event-id"));
  CHECK(Header(RawDeliveryRecord(body, kContext), "event-id") !=
        Header(RawDeliveryRecord(body + "\n", kContext), "event-id"));
}

TEST_CASE("bodies that are not JSON or not a known shape are errors naming the reason") {
  CHECK(SplitError("{\"object\":").starts_with("body is not JSON: "));
  CHECK(SplitError("not json") == "body is not JSON: Invalid value at offset 1");
  CHECK(SplitError("") == "body is not JSON: The document is empty at offset 0");
  CHECK(SplitError("{} trailing").find("at offset 3") != std::string::npos);
  CHECK(SplitError("[1,2]") == "body is not a JSON object");
  CHECK(SplitError(R"({"entry":[]})") == "body has no \"object\" string");
  CHECK(SplitError(R"({"object":"foo","entry":[]})") == "unknown object 'foo'");
  CHECK(SplitError(R"({"object":"page","entry":{}})") == "entry is not an array");

  std::string missing_id = Fixture("whatsapp_messages.json");
  const std::string id = R"("id": "wamid.image1", )";
  REQUIRE(missing_id.find(id) != std::string::npos);
  missing_id.erase(missing_id.find(id), id.size());
  CHECK(SplitError(missing_id) == "entry[0].changes[0].value.messages[1] has no id");

  CHECK(SplitError(R"({"object":"page","entry":[{"id":"1","messaging":[
        {"recipient":{"id":"1"},"message":{"mid":"m1","text":"hi"}}]}]})") ==
        "entry[0].messaging[0] has no sender");
  CHECK(SplitError(R"({"object":"instagram","entry":[{"id":"1","messaging":[
        {"sender":{"id":"2"},"recipient":{"id":"1"},"message":{"text":"hi"}}]}]})") ==
        "entry[0].messaging[0].message has no mid");
  CHECK(SplitError(R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":
        "messages","value":{"metadata":{},"statuses":[{"id":"w","status":"sent"}]}}]}]})") ==
        "entry[0].changes[0].value.metadata has no phone_number_id");
  CHECK_FALSE(SplitMetaDelivery("{\"object\":\"page\",\"entry\":[]}\xff", kContext).ok());
}

TEST_CASE("a known shape with nothing to produce is an empty vector") {
  CHECK(Split(R"({"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"1"},
        "recipient":{"id":"2"},"message":{"mid":"m","text":"echo","is_echo":true}}]}]})")
            .empty());
  CHECK(Split(R"({"object":"whatsapp_business_account","entry":[]})").empty());
  CHECK(Split(R"({"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments"}]}]})")
            .empty());
}

TEST_CASE("webhooks.raw keeps the body exactly, keyed by its event id") {
  const std::string body = Fixture("messenger.json");
  const OutboundRecord raw = RawDeliveryRecord(body, kContext);
  CHECK(raw.topic == "webhooks.raw");
  CHECK(raw.key == Header(raw, "event-id"));
  CheckEnvelope(raw, "webhooks.raw/1");
  const Json envelope(raw.value);
  CHECK(envelope.Str("source") == "meta");
  CHECK(envelope.Str("body_encoding") == "utf8");
  CHECK(envelope.Str("body") == body);

  const std::string binary("{\"a\":\"\xff\xfe\"}\0x", 12);
  const Json base64(RawDeliveryRecord(binary, kContext).value);
  CHECK(base64.Str("body_encoding") == "base64");
  CHECK(base64.Str("body") == "eyJhIjoi//4ifQB4");
}

TEST_CASE("dead letters keep the original intact, with stage, error and times") {
  const OutboundRecord raw = RawDeliveryRecord(R"({"object":"foo"})", kContext);
  const OutboundRecord letter =
      DeadLetterRecord(raw, "ingest", "unknown object 'foo'", 1714556400200);
  CHECK(letter.topic == "webhooks.raw.dlq");
  CHECK(letter.key == raw.key);
  CHECK(Header(letter, "schema") == "dead-letter/1");
  CHECK(Header(letter, "original-event-id") == Header(raw, "event-id"));
  CHECK(Header(letter, "trace-id") == "trace-abc");
  const Json value(letter.value);
  CHECK(Header(letter, "event-id") == value.Str("event_id"));
  CHECK(value.Str("original_topic") == "webhooks.raw");
  CHECK(value["original_partition"].GetInt() == -1);
  CHECK(value["original_offset"].GetInt() == -1);
  CHECK(value.Str("value") == raw.value);
  CHECK(value.Str("key") == raw.key);
  CHECK(value.Str("stage") == "ingest");
  CHECK(value.Str("error") == "unknown object 'foo'");
  CHECK(value["attempts"].GetInt() == 1);
  CHECK(value.Str("first_failure_at") == "2024-05-01T09:40:00.200Z");
  CHECK(value["headers"].Size() == raw.headers.size());
  CHECK(Header(DeadLetterRecord(raw, "ingest", "other text", 5), "event-id") ==
        Header(letter, "event-id"));

  ConsumedRecord consumed{.topic = "messages.inbound",
                          .partition = 3,
                          .offset = 42,
                          .key = "whatsapp:1:2",
                          .value = std::string("\x80not utf8", 9),
                          .headers = {{"event-id", "e"}, {"schema", "messages.inbound/1"}},
                          .timestamp_ms = 1714556400000};
  const OutboundRecord from_consumer =
      switchboard::DeadLetterFor(consumed, {.stage = "resolver",
                                            .error = "no integration",
                                            .attempts = 5,
                                            .first_failure_ms = 1714556400000,
                                            .last_failure_ms = 1714556460000});
  CHECK(from_consumer.topic == "messages.inbound.dlq");
  const Json consumer_value(from_consumer.value);
  CHECK(consumer_value["original_partition"].GetInt() == 3);
  CHECK(consumer_value["original_offset"].GetInt() == 42);
  CHECK(consumer_value.Str("original_timestamp") == "2024-05-01T09:40:00.000Z");
  CHECK(consumer_value.Str("value_encoding") == "base64");
  CHECK(consumer_value["attempts"].GetInt() == 5);
  CHECK(consumer_value.Str("last_failure_at") == "2024-05-01T09:41:00.000Z");
}
