// The calls stage's handler against the PostgreSQL and the broker tests/run started: a WhatsApp
// message goes through the resolver's handler, end-of-call reports are handed to CallRecorder
// directly (no consumer), the usage it produces is read back from the broker and handed to the
// usage stage's handler, rows are checked through the owner role (DATABASE_OWNER_URL, not subject
// to row-level security). Each test seeds its own business, so they can run again.
#include <doctest/doctest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "common/customer_identity.hpp"
#include "common/db_pool.hpp"
#include "common/hmac.hpp"
#include "common/kafka_producer.hpp"
#include "common/tenant_scope.hpp"
#include "common/topics/messages_inbound.hpp"
#include "common/topics/usage_events.hpp"
#include "common/topics/voice_events.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/calls/record_call.hpp"
#include "workers/resolver/resolve_inbound.hpp"
#include "workers/usage/record_usage.hpp"

namespace {

using namespace switchboard;
using namespace std::chrono_literals;
using testing::Owner;
using testing::RandomDigits;
using testing::RequireEnv;
using testing::TopicReader;

/// A business with an active WhatsApp integration whose phone_number_id is `account`.
struct Tenant {
  Tenant()
      : account(RandomDigits(15)),
        business_id(Owner("INSERT INTO businesses (name, slug) VALUES ('Calls test', $1) "
                          "RETURNING id",
                          "calls-test-" + account)[0][0]
                        .as<std::string>()) {
    Owner("INSERT INTO integrations (business_id, type, platform_id) VALUES ($1, 'whatsapp', $2)",
          business_id, account);
  }

  std::string account;
  std::string business_id;
};

/// The resolver, the calls and the usage handlers with a real producer and a small pool of the
/// application role.
struct StagesUnderTest {
  StagesUnderTest()
      : brokers(RequireEnv("KAFKA_BROKERS")),
        producer({.brokers = brokers, .client_id = "calls-test", .delivery_timeout = 4000ms}),
        pool(RequireEnv("DATABASE_URL"), 2),
        resolver(pool, producer, registry),
        calls(pool, producer, registry) {}

  /// The WhatsApp text `text` from wa_id `sender` to `tenant`, through the resolver.
  void WhatsApp(const Tenant& tenant, const std::string& sender, const std::string& text) {
    const topics::InboundMessage message{.event_id = EventIdFor({"calls-test", RandomDigits(20)}),
                                         .channel = "whatsapp",
                                         .channel_account_id = tenant.account,
                                         .sender_id = sender,
                                         .sender_name = std::string("Ann Example"),
                                         .sender_phone = "+" + sender,
                                         .platform_message_id = "wamid." + RandomDigits(20),
                                         .sent_at = "2024-05-01T09:00:00.000Z",
                                         .received_at = "2024-05-01T09:00:00.100Z",
                                         .type = "text",
                                         .text = text,
                                         .trace_id = "trace-" + RandomDigits(8)};
    const OutboundRecord record = topics::MessagesInbound::Encode(message);
    REQUIRE(resolver
                .Handle({.topic = record.topic,
                         .key = record.key,
                         .value = record.value,
                         .headers = record.headers})
                .kind == Outcome::Kind::kDone);
  }

  std::string brokers;
  KafkaProducer producer;
  db::ConnectionPool pool;
  prometheus::Registry registry;
  resolver::InboundResolver resolver;
  calls::CallRecorder calls;
};

/// Vapi's end-of-call report of call `call_id` from `caller` ("" for a web call).
std::string Report(const std::string& call_id, const std::string& caller) {
  const std::string customer =
      caller.empty() ? std::string() : R"(,"customer":{"number":")" + caller + R"("})";
  return R"({"type":"end-of-call-report","endedReason":"customer-ended-call",)"
         R"("startedAt":"2024-05-01T09:33:00.000Z","endedAt":"2024-05-01T09:35:10.500Z",)"
         R"("call":{"id":")" +
         call_id + R"(","type":"inboundPhoneCall","phoneNumberId":"pn-1")" + customer +
         R"(},"artifact":{"messages":[)"
         R"({"role":"system","message":"You are the receptionist.","time":1714555980000},)"
         R"({"role":"bot","message":"Bright Smile Dental, how can I help?","time":1714555981000},)"
         R"({"role":"user","message":"What does a cleaning cost?","time":1714555985000},)"
         R"({"role":"tool_calls","toolCalls":[],"time":1714555986000},)"
         R"({"role":"bot","message":"A cleaning is 90 euros.","time":1714555988000}],)"
         R"("recordingUrl":"https://storage.vapi.ai/)" +
         call_id + R"(.wav"},"analysis":{"summary":"The caller asked about a cleaning."}})";
}

/// The voice.events record ingest writes for `report`.
ConsumedRecord VoiceRecord(const Tenant& tenant, const std::string& call_id,
                           const std::string& caller, const std::string& report) {
  const OutboundRecord record = topics::VoiceEvents::Encode(
      {.event_id = topics::VoiceEvents::EventId(call_id, topics::VoiceEvents::kEndOfCallReport),
       .type = std::string(topics::VoiceEvents::kEndOfCallReport),
       .call_id = call_id,
       .business_id = tenant.business_id,
       .caller = caller,
       .phone_number_id = "pn-1",
       .received_at = "2024-05-01T09:35:12.000Z",
       .report_json = report,
       .trace_id = "trace-" + call_id});
  return {
      .topic = record.topic, .key = record.key, .value = record.value, .headers = record.headers};
}

/// The usage.events records of `business_id` that arrive within a few seconds, waiting for
/// `count`.
std::vector<ConsumedRecord> UsageOf(TopicReader& reader, const std::string& business_id,
                                    std::size_t count) {
  std::vector<ConsumedRecord> all;
  std::vector<ConsumedRecord> mine;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (mine.size() < count && std::chrono::steady_clock::now() < deadline) {
    all = reader.ReadAtLeast(all.size() + 1, 500ms);
    mine.clear();
    for (const auto& record : all) {
      if (record.key == business_id) mine.push_back(record);
    }
  }
  return mine;
}

std::int64_t Count(const std::string& sql, const std::string& param) {
  return Owner(sql, param)[0][0].as<std::int64_t>();
}

}  // namespace

TEST_CASE(
    "calls: a call from a number that wrote on WhatsApp is a voice conversation of that "
    "customer, stored and counted once when delivered twice") {
  StagesUnderTest stages;
  Tenant tenant;
  TopicReader usage_reader(stages.brokers, "usage.events");
  const std::string wa_id = "49" + RandomDigits(10);
  stages.WhatsApp(tenant, wa_id, "Do you do cleanings?");
  const std::string whatsapp_customer =
      Owner(
          "SELECT customer_id FROM customer_identities WHERE business_id = $1 AND "
          "channel = 'whatsapp'",
          tenant.business_id)[0][0]
          .as<std::string>();

  const std::string call_id = "call-" + RandomDigits(12);
  const ConsumedRecord record =
      VoiceRecord(tenant, call_id, "+" + wa_id, Report(call_id, "+" + wa_id));
  CHECK(stages.calls.Handle(record).kind == Outcome::Kind::kDone);
  CHECK(stages.calls.Handle(record).kind == Outcome::Kind::kDone);

  // One customer: the caller is the WhatsApp sender.
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);
  const auto calls = Owner(
      "SELECT id, customer_id, status, opened_at = '2024-05-01T09:33:00Z' AS opened, "
      "       closed_at = '2024-05-01T09:35:10.5Z' AS closed, metadata->>'call_id', "
      "       metadata->>'summary', metadata->>'recording_url', metadata->>'ended_reason', "
      "       (metadata->>'duration_seconds')::numeric, (metadata->>'voice_seconds')::int, "
      "       metadata->>'caller', metadata->>'started_at', metadata->>'ended_at' "
      "  FROM conversations WHERE business_id = $1 AND channel = 'voice'",
      tenant.business_id);
  REQUIRE(calls.size() == 1);
  const auto call = calls[0];
  CHECK(call["customer_id"].as<std::string>() == whatsapp_customer);
  CHECK(call["status"].as<std::string>() == "CLOSED");
  CHECK(call["opened"].as<bool>());
  CHECK(call["closed"].as<bool>());
  CHECK(call[5].as<std::string>() == call_id);
  CHECK(call[6].as<std::string>() == "The caller asked about a cleaning.");
  CHECK(call[7].as<std::string>() == "https://storage.vapi.ai/" + call_id + ".wav");
  CHECK(call[8].as<std::string>() == "customer-ended-call");
  CHECK(call[9].as<double>() == doctest::Approx(130.5));
  CHECK(call[10].as<int>() == 131);
  CHECK(call[11].as<std::string>() == "+" + wa_id);
  CHECK(call[12].as<std::string>() == "2024-05-01T09:33:00.000Z");
  CHECK(call[13].as<std::string>() == "2024-05-01T09:35:10.500Z");

  // The transcript by speaker, in the order it was said, without the system and tool entries.
  const auto lines = Owner(
      "SELECT role, content, status, channel, created_at = to_timestamp($2::bigint / 1000.0) "
      "  FROM messages WHERE conversation_id = $1 ORDER BY created_at",
      call["id"].as<std::string>(), std::int64_t{1714555981000});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0][0].as<std::string>() == "assistant");
  CHECK(lines[0][1].as<std::string>() == "Bright Smile Dental, how can I help?");
  CHECK(lines[0][2].as<std::string>() == "sent");
  CHECK(lines[0][3].as<std::string>() == "voice");
  CHECK(lines[0][4].as<bool>());
  CHECK(lines[1][0].as<std::string>() == "user");
  CHECK(lines[1][1].as<std::string>() == "What does a cleaning cost?");
  CHECK(lines[1][2].as<std::string>() == "received");
  CHECK(lines[2][0].as<std::string>() == "assistant");
  CHECK(lines[2][1].as<std::string>() == "A cleaning is 90 euros.");

  // The WhatsApp conversation is untouched, and the customer's history holds both channels.
  CHECK(Count("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
              "WHERE c.customer_id = $1",
              whatsapp_customer) == 4);

  // Usage: produced for each delivery with one event id; the usage stage counts it once.
  const auto usage = UsageOf(usage_reader, tenant.business_id, 2);
  REQUIRE(usage.size() == 2);
  const std::string usage_event_id = topics::UsageEvents::EventId("call", call_id);
  usage::UsageStore usage_store(stages.pool);
  usage::UsageRecorder usage_recorder(usage_store);
  for (const ConsumedRecord& record : usage) {
    CHECK(FindHeader(record.headers, "event-id") == usage_event_id);
    const auto event = topics::UsageEvents::Decode(record);
    REQUIRE(event.ok());
    CHECK(event->voice_seconds == 131);
    CHECK(event->kind == "call");
    CHECK(event->occurred_at == "2024-05-01T09:35:10.500Z");
    CHECK(usage_recorder.Handle(record).kind == Outcome::Kind::kDone);
  }
  CHECK(Owner("SELECT voice_seconds, messages FROM usage_counters WHERE business_id = $1 AND "
              "month = '2024-05-01'",
              tenant.business_id)[0][0]
            .as<std::int64_t>() == 131);
}

TEST_CASE(
    "calls: a caller is recognised when they write on WhatsApp later, a web call gets a "
    "customer of its own") {
  StagesUnderTest stages;
  Tenant tenant;
  const std::string number = "44" + RandomDigits(10);
  const std::string call_id = "call-" + RandomDigits(12);
  CHECK(
      stages.calls.Handle(VoiceRecord(tenant, call_id, "+" + number, Report(call_id, "+" + number)))
          .kind == Outcome::Kind::kDone);
  const std::string caller = Owner("SELECT customer_id FROM conversations WHERE business_id = $1",
                                   tenant.business_id)[0][0]
                                 .as<std::string>();
  CHECK(Owner("SELECT phone FROM customers WHERE id = $1", caller)[0][0].as<std::string>() ==
        number);

  stages.WhatsApp(tenant, number, "Hello again, it's me from the call");
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);
  CHECK(Owner("SELECT customer_id FROM customer_identities WHERE business_id = $1 AND "
              "channel = 'whatsapp'",
              tenant.business_id)[0][0]
            .as<std::string>() == caller);

  const std::string web_call = "call-" + RandomDigits(12);
  CHECK(stages.calls.Handle(VoiceRecord(tenant, web_call, "", Report(web_call, ""))).kind ==
        Outcome::Kind::kDone);
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 2);
  CHECK(Count("SELECT count(*) FROM conversations WHERE business_id = $1 AND channel = 'voice'",
              tenant.business_id) == 2);
}

TEST_CASE(
    "calls: CustomerByPhone finds the WhatsApp sender of a number, and refuses what is not "
    "a number") {
  StagesUnderTest stages;
  Tenant tenant;
  const std::string wa_id = "49" + RandomDigits(10);
  stages.WhatsApp(tenant, wa_id, "Hi");
  auto lease = stages.pool.Acquire();
  db::TenantWork tx(*lease, tenant.business_id);
  const auto found = customers::CustomerByPhone(tx, tenant.business_id, "+" + wa_id);
  REQUIRE(found.has_value());
  CHECK(*found == Owner("SELECT customer_id FROM customer_identities WHERE business_id = $1 AND "
                        "channel = 'whatsapp'",
                        tenant.business_id)[0][0]
                      .as<std::string>());
  CHECK_FALSE(customers::CustomerByPhone(tx, tenant.business_id, wa_id).has_value());
  CHECK_FALSE(customers::CustomerByPhone(tx, tenant.business_id, "").has_value());
  CHECK_FALSE(customers::CustomerByPhone(tx, tenant.business_id, "+49 151").has_value());
  const std::string number = "+1555" + RandomDigits(7);
  const auto fresh = customers::CustomerByPhone(tx, tenant.business_id, number, "Bo Caller");
  REQUIRE(fresh.has_value());
  CHECK(*fresh != *found);
  // The same number again is the same customer, with that number and name.
  CHECK(customers::CustomerByPhone(tx, tenant.business_id, number) == fresh);
  tx.commit();
  CHECK(Owner("SELECT phone || ' ' || name FROM customers WHERE id = $1", *fresh)[0][0]
            .as<std::string>() == number.substr(1) + " Bo Caller");
}

TEST_CASE("calls: what cannot be stored is a dead letter, and nothing is written") {
  StagesUnderTest stages;
  Tenant tenant;
  const std::string call_id = "call-" + RandomDigits(12);
  ConsumedRecord record = VoiceRecord(tenant, call_id, "+4915100000000", Report(call_id, ""));

  ConsumedRecord garbage = record;
  garbage.value = "not json";
  CHECK(stages.calls.Handle(garbage).kind == Outcome::Kind::kDeadLetter);

  const Outcome status = stages.calls.Handle(
      VoiceRecord(tenant, call_id, "+4915100000000", R"({"type":"status-update"})"));
  CHECK(status.kind == Outcome::Kind::kDeadLetter);
  CHECK(status.error == "voice.events: report type is not end-of-call-report");

  Tenant stranger_tenant;
  stranger_tenant.business_id = "00000000-0000-4000-8000-" + RandomDigits(12);
  const Outcome unknown = stages.calls.Handle(
      VoiceRecord(stranger_tenant, call_id, "+4915100000000", Report(call_id, "")));
  CHECK(unknown.kind == Outcome::Kind::kDeadLetter);

  CHECK(Count("SELECT count(*) FROM conversations WHERE business_id = $1", tenant.business_id) ==
        0);
}
