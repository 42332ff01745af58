// The tools stage's handler (workers/tools/answer_tool_call) against the PostgreSQL and the broker
// tests/run started: tools.requests records are handed to ToolCallAnswerer directly (no
// consumer), its answers are read back from tools.results, and rows are checked through the owner
// role (DATABASE_OWNER_URL). Each test seeds its own business, so the tests can run again. "Now"
// is injected: Friday 2031-03-07 12:00 UTC; Monday 2031-03-10 is a winter day in Berlin (UTC+1).
#include <doctest/doctest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/encoding.hpp"
#include "common/kafka_producer.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/tools_results.hpp"
#include "common/topics/voice_events.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/calls/record_call.hpp"
#include "workers/tools/answer_tool_call.hpp"

namespace {

using namespace switchboard;
using namespace std::chrono_literals;
using testing::Owner;
using testing::RandomDigits;
using testing::RequireEnv;
using testing::TopicReader;

/// Friday 2031-03-07 12:00:00 UTC.
constexpr std::int64_t kNowMs = 1930651200000;

std::int64_t Count(const std::string& sql, const std::string& param) {
  return Owner(sql, param)[0][0].as<std::int64_t>();
}

/// A business open Mon-Fri 09:00-17:00 in Berlin with Check-up (30 min) and Cleaning (60 min),
/// and a customer who wrote on WhatsApp from `number`.
struct Tenant {
  Tenant()
      : business_id(testing::SeedTenant({}).business_id),
        wa_id("49" + RandomDigits(10)),
        number("+" + wa_id),
        customer_id(Owner("INSERT INTO customers (business_id, phone, name) "
                          "VALUES ($1, $2, 'Ann Example') RETURNING id",
                          business_id, wa_id)[0][0]
                        .as<std::string>()) {
    Owner(
        "INSERT INTO customer_identities (business_id, customer_id, channel, external_id) "
        "VALUES ($1, $2, 'whatsapp', $3)",
        business_id, customer_id, wa_id);
  }

  std::string business_id;
  std::string wa_id;
  std::string number;
  std::string customer_id;
};

/// The tools handler with a real producer, a small pool of the application role and a clock the
/// test sets.
struct StageUnderTest {
  StageUnderTest()
      : brokers(RequireEnv("KAFKA_BROKERS")),
        producer({.brokers = brokers, .client_id = "voice-tools-test", .delivery_timeout = 4000ms}),
        pool(RequireEnv("DATABASE_URL"), 2),
        answerer(pool, producer, registry, [this] { return now_ms; }) {}

  std::string brokers;
  KafkaProducer producer;
  db::ConnectionPool pool;
  prometheus::Registry registry;
  std::int64_t now_ms = kNowMs;
  tools::ToolCallAnswerer answerer;
};

/// A tools.requests record as ingest writes it; its deadline 4 s after kNowMs.
ConsumedRecord Request(const Tenant& tenant, const std::string& call_id,
                       const std::string& tool_call_id, const std::string& tool,
                       const std::string& arguments, const std::string& caller) {
  const OutboundRecord record =
      topics::ToolsRequests::Encode({.event_id = topics::ToolsRequests::EventId(tool_call_id),
                                     .tool_call_id = tool_call_id,
                                     .call_id = call_id,
                                     .business_id = tenant.business_id,
                                     .caller = caller,
                                     .tool = tool,
                                     .arguments_json = arguments,
                                     .correlation_id = "corr-" + tool_call_id,
                                     .reply_to = "ingest-test",
                                     .requested_at = FormatUtcMillis(kNowMs),
                                     .deadline_at = FormatUtcMillis(kNowMs + 4000),
                                     .trace_id = "trace-" + tool_call_id});
  return {.topic = record.topic,
          .partition = 0,
          .offset = 0,
          .key = record.key,
          .value = record.value,
          .headers = record.headers};
}

/// The tools.results records of call `call_id` that arrive within a few seconds, waiting for
/// `count`.
std::vector<ConsumedRecord> AnswersOf(TopicReader& reader, const std::string& call_id,
                                      std::size_t count) {
  std::vector<ConsumedRecord> all;
  std::vector<ConsumedRecord> mine;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (mine.size() < count && std::chrono::steady_clock::now() < deadline) {
    all = reader.ReadAtLeast(all.size() + 1, 500ms);
    mine.clear();
    for (const auto& record : all) {
      if (record.key == call_id) mine.push_back(record);
    }
  }
  return mine;
}

topics::ToolCallResult Decoded(const ConsumedRecord& record) {
  auto result = topics::ToolsResults::Decode(record);
  REQUIRE_MESSAGE(result.ok(), record.value);
  return *std::move(result);
}

}  // namespace

TEST_CASE(
    "voice tools: a WhatsApp customer's call checks availability and books, answered in speech "
    "on tools.results for the waiting ingest") {
  StageUnderTest stage;
  Tenant tenant;
  TopicReader reader(stage.brokers, "tools.results");
  const std::string call_id = "call-" + RandomDigits(12);

  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-1", "check_availability",
                            R"({"date":"2031-03-10","service":"Cleaning"})", tenant.number))
            .kind == Outcome::Kind::kDone);
  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-2", "book_appointment",
                            R"({"service":"Cleaning","start":"2031-03-10T10:00"})", tenant.number))
            .kind == Outcome::Kind::kDone);

  const auto answers = AnswersOf(reader, call_id, 2);
  REQUIRE(answers.size() == 2);
  const topics::ToolCallResult availability = Decoded(answers[0]);
  CHECK(availability.tool_call_id == "tc-1");
  CHECK_FALSE(availability.failed);
  CHECK(availability.text.starts_with(
      "Free start times on Monday, March 10 for Cleaning (60 minutes): 09:00, 09:30, 10:00"));
  CHECK(availability.correlation_id == "corr-tc-1");
  CHECK(availability.reply_to == "ingest-test");
  CHECK(topics::ToolsResults::ReplyTo(answers[0]) == "ingest-test");
  CHECK(FindHeader(answers[0].headers, "tenant") == tenant.business_id);

  const topics::ToolCallResult booking = Decoded(answers[1]);
  CHECK(booking.tool_call_id == "tc-2");
  CHECK_FALSE(booking.failed);
  CHECK(booking.text == "Booked Cleaning on Monday, March 10 at 10:00, until 11:00.");
  CHECK(booking.completed_at == FormatUtcMillis(kNowMs));

  // The appointment is the WhatsApp customer's: the caller is the same person.
  const auto appointments = Owner(
      "SELECT customer_id, starts_at = '2031-03-10T09:00:00Z' FROM appointments "
      "WHERE business_id = $1 AND status = 'booked'",
      tenant.business_id);
  REQUIRE(appointments.size() == 1);
  CHECK(appointments[0][0].as<std::string>() == tenant.customer_id);
  CHECK(appointments[0][1].as<bool>());
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);
}

TEST_CASE(
    "voice tools: the same tool call delivered twice books once and answers the same record") {
  StageUnderTest stage;
  Tenant tenant;
  TopicReader reader(stage.brokers, "tools.results");
  const std::string call_id = "call-" + RandomDigits(12);
  const ConsumedRecord request =
      Request(tenant, call_id, "tc-book", "book_appointment",
              R"({"service":"Check-up","start":"2031-03-10T14:00"})", tenant.number);

  CHECK(stage.answerer.Handle(request).kind == Outcome::Kind::kDone);
  stage.now_ms += 1500;  // the redelivery comes later; its answer is still the first one
  CHECK(stage.answerer.Handle(request).kind == Outcome::Kind::kDone);

  const auto answers = AnswersOf(reader, call_id, 2);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].value == answers[1].value);
  CHECK(Decoded(answers[1]).text == "Booked Check-up on Monday, March 10 at 14:00, until 14:30.");
  CHECK(Count("SELECT count(*) FROM appointments WHERE business_id = $1", tenant.business_id) == 1);
  CHECK(Count("SELECT count(*) FROM voice_tool_calls WHERE business_id = $1", tenant.business_id) ==
        1);
}

TEST_CASE(
    "voice tools: wrong arguments and unknown tools are error answers, not dead letters, and "
    "book nothing") {
  StageUnderTest stage;
  Tenant tenant;
  TopicReader reader(stage.brokers, "tools.results");
  const std::string call_id = "call-" + RandomDigits(12);

  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-a", "book_appointment",
                            R"({"service":"Cleaning"})", tenant.number))
            .kind == Outcome::Kind::kDone);
  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-b", "check_availability", R"({"date":"tuesday"})",
                            tenant.number))
            .kind == Outcome::Kind::kDone);
  CHECK(stage.answerer.Handle(Request(tenant, call_id, "tc-c", "fly_to_moon", "{}", tenant.number))
            .kind == Outcome::Kind::kDone);

  const auto answers = AnswersOf(reader, call_id, 3);
  REQUIRE(answers.size() == 3);
  for (const ConsumedRecord& record : answers) {
    const topics::ToolCallResult answer = Decoded(record);
    CAPTURE(answer.text);
    CHECK(answer.failed);
    CHECK(record.value.find(R"("error":)") != std::string::npos);
    CHECK(record.value.find(R"("result":)") == std::string::npos);
  }
  CHECK(Decoded(answers[0]).text.find("start") != std::string::npos);
  CHECK(Decoded(answers[1]).text.find("YYYY-MM-DD") != std::string::npos);
  CHECK(Decoded(answers[2]).text.starts_with("unknown tool 'fly_to_moon'"));
  CHECK(Count("SELECT count(*) FROM appointments WHERE business_id = $1", tenant.business_id) == 0);
}

TEST_CASE(
    "voice tools: a web call without a number gets services but not a booking, a late request "
    "runs nothing, an unreadable one is a dead letter") {
  StageUnderTest stage;
  Tenant tenant;
  TopicReader reader(stage.brokers, "tools.results");
  const std::string call_id = "call-" + RandomDigits(12);

  CHECK(stage.answerer.Handle(Request(tenant, call_id, "tc-s", "get_services", "{}", "")).kind ==
        Outcome::Kind::kDone);
  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-n", "book_appointment",
                            R"({"service":"Cleaning","start":"2031-03-10T10:00"})", ""))
            .kind == Outcome::Kind::kDone);
  stage.now_ms = kNowMs + 4001;  // past the deadline ingest waited for
  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-late", "book_appointment",
                            R"({"service":"Cleaning","start":"2031-03-10T10:00"})", tenant.number))
            .kind == Outcome::Kind::kDone);

  const auto answers = AnswersOf(reader, call_id, 3);
  REQUIRE(answers.size() == 3);
  CHECK(Decoded(answers[0]).text ==
        "Services: Check-up, 30 minutes, 60 EUR; Cleaning, 60 minutes, 90 EUR.");
  CHECK(Decoded(answers[1]).failed);
  CHECK(Decoded(answers[1]).text.find("phone number") != std::string::npos);
  CHECK(Decoded(answers[2]).failed);
  CHECK(Decoded(answers[2]).text.find("too long") != std::string::npos);
  CHECK(Count("SELECT count(*) FROM appointments WHERE business_id = $1", tenant.business_id) == 0);
  // No customer was made up for the web call.
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);

  ConsumedRecord broken = Request(tenant, call_id, "tc-x", "get_services", "{}", "");
  broken.value = R"({"schema":"tools.requests/1","tool":"get_services"})";
  const Outcome outcome = stage.answerer.Handle(broken);
  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error.find("event_id") != std::string::npos);
}

TEST_CASE(
    "voice tools: send_to_human flags the call's voice conversation for a person, and the "
    "end-of-call report completes that same conversation") {
  StageUnderTest stage;
  Tenant tenant;
  TopicReader reader(stage.brokers, "tools.results");
  const std::string call_id = "call-" + RandomDigits(12);

  CHECK(stage.answerer
            .Handle(Request(tenant, call_id, "tc-h", "send_to_human",
                            R"({"reason":"wants to talk about a bill"})", tenant.number))
            .kind == Outcome::Kind::kDone);
  const auto answers = AnswersOf(reader, call_id, 1);
  REQUIRE(answers.size() == 1);
  CHECK_FALSE(Decoded(answers[0]).failed);
  CHECK(Decoded(answers[0]).text.find("a person will get back") != std::string::npos);
  const auto during = Owner(
      "SELECT customer_id, status, needs_human, metadata->>'handoff_reason' FROM conversations "
      "WHERE business_id = $1 AND channel = 'voice'",
      tenant.business_id);
  REQUIRE(during.size() == 1);
  CHECK(during[0][0].as<std::string>() == tenant.customer_id);
  CHECK(during[0][1].as<std::string>() == "HANDED_OFF");
  CHECK(during[0][2].as<bool>());
  CHECK(during[0][3].as<std::string>() == "wants to talk about a bill");

  // The call ends: the calls stage stores its report into the same conversation.
  calls::CallRecorder recorder(stage.pool, stage.producer, stage.registry);
  const std::string report =
      R"({"type":"end-of-call-report","endedReason":"customer-ended-call",)"
      R"("startedAt":"2031-03-07T11:59:00.000Z","endedAt":"2031-03-07T12:01:00.000Z",)"
      R"("call":{"id":")" +
      call_id + R"(","customer":{"number":")" + tenant.number +
      R"("}},"artifact":{"messages":[)"
      R"({"role":"user","message":"Can I talk to someone about my bill?","time":1930651150000},)"
      R"({"role":"bot","message":"I have asked the team to call you back.","time":1930651160000}]}})";
  const OutboundRecord voice = topics::VoiceEvents::Encode(
      {.event_id = topics::VoiceEvents::EventId(call_id, topics::VoiceEvents::kEndOfCallReport),
       .type = std::string(topics::VoiceEvents::kEndOfCallReport),
       .call_id = call_id,
       .business_id = tenant.business_id,
       .caller = tenant.number,
       .received_at = "2031-03-07T12:01:01.000Z",
       .report_json = report,
       .trace_id = "trace-" + call_id});
  const ConsumedRecord voice_record{
      .topic = voice.topic, .key = voice.key, .value = voice.value, .headers = voice.headers};
  CHECK(recorder.Handle(voice_record).kind == Outcome::Kind::kDone);
  CHECK(recorder.Handle(voice_record).kind == Outcome::Kind::kDone);  // stored once

  const auto after = Owner(
      "SELECT id, customer_id, status, needs_human, metadata->>'handoff_reason', "
      "       metadata->>'ended_reason' FROM conversations "
      "WHERE business_id = $1 AND channel = 'voice'",
      tenant.business_id);
  REQUIRE(after.size() == 1);
  CHECK(after[0][1].as<std::string>() == tenant.customer_id);
  CHECK(after[0][2].as<std::string>() == "CLOSED");
  CHECK(after[0][3].as<bool>());
  CHECK(after[0][4].as<std::string>() == "wants to talk about a bill");
  CHECK(after[0][5].as<std::string>() == "customer-ended-call");
  CHECK(Count("SELECT count(*) FROM messages WHERE conversation_id = $1",
              after[0][0].as<std::string>()) == 2);
}
