// The resolver's handler against the PostgreSQL and the broker tests/run started: records are
// handed to InboundResolver directly (no consumer), messages.resolved is read back from the
// broker, rows are checked through the owner role (DATABASE_OWNER_URL, not subject to row-level
// security). Each test seeds its own business and channel account, so they can run again.
#include <doctest/doctest.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <fstream>
#include <latch>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/db_pool.hpp"
#include "common/hmac.hpp"
#include "common/kafka_producer.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/resolver/resolve_inbound.hpp"

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
        business_id(Owner("INSERT INTO businesses (name, slug) VALUES ('Resolver test', $1) "
                          "RETURNING id",
                          "resolver-test-" + account)[0][0]
                        .as<std::string>()) {
    Owner("INSERT INTO integrations (business_id, type, platform_id) VALUES ($1, 'whatsapp', $2)",
          business_id, account);
  }

  std::string account;
  std::string business_id;
};

/// A messages.inbound/1 value as ingest writes it for a WhatsApp text message.
struct Inbound {
  std::string event_id = EventIdFor({"resolver-test", RandomDigits(20)});
  std::string account;
  std::string sender = "49" + RandomDigits(10);
  std::string name = "Ann Example";
  bool with_phone = true;
  std::string platform_message_id = "wamid." + RandomDigits(20);
  std::string type = "text";
  std::string text = "Do you have time tomorrow?";
  std::string sent_at = "2024-05-01T09:30:01.000Z";
  std::string trace_id = "trace-" + RandomDigits(8);

  std::string Key() const { return "whatsapp:" + account + ":" + sender; }

  ConsumedRecord Record() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    const auto field = [&writer](const char* key, const std::string& value) {
      writer.Key(key);
      writer.String(value);
    };
    writer.StartObject();
    field("event_id", event_id);
    field("schema", "messages.inbound/1");
    field("channel", "whatsapp");
    field("channel_account_id", account);
    field("sender_id", sender);
    if (!name.empty()) field("sender_name", name);
    if (with_phone) field("sender_phone", "+" + sender);
    if (!platform_message_id.empty()) field("platform_message_id", platform_message_id);
    field("sent_at", sent_at);
    field("received_at", "2024-05-01T09:30:02.123Z");
    field("type", type);
    field("text", text);
    field("trace_id", trace_id);
    writer.EndObject();
    return ConsumedRecord{
        .topic = "messages.inbound",
        .key = Key(),
        .value = buffer.GetString(),
        .headers = {
            {"event-id", event_id}, {"schema", "messages.inbound/1"}, {"trace-id", trace_id}}};
  }
};

/// The resolver with a real producer and a small pool of the application role.
struct ResolverUnderTest {
  ResolverUnderTest()
      : brokers(RequireEnv("KAFKA_BROKERS")),
        producer({.brokers = brokers, .client_id = "resolver-test", .delivery_timeout = 4000ms}),
        pool(RequireEnv("DATABASE_URL"), 2),
        resolver(pool, producer, registry) {}

  /// The value of switchboard_resolver_unknown_accounts_total{channel="whatsapp"}.
  double UnknownAccounts() {
    for (const auto& family : registry.Collect()) {
      if (family.name != "switchboard_resolver_unknown_accounts_total") continue;
      for (const auto& metric : family.metric) {
        for (const auto& label : metric.label) {
          if (label.name == "channel" && label.value == "whatsapp") return metric.counter.value;
        }
      }
    }
    return 0;
  }

  std::string brokers;
  KafkaProducer producer;
  db::ConnectionPool pool;
  prometheus::Registry registry;
  resolver::InboundResolver resolver;
};

/// The records of `key` among what `reader` gets within a few seconds, waiting for `count`.
std::vector<ConsumedRecord> RecordsOf(TopicReader& reader, const std::string& key,
                                      std::size_t count) {
  std::vector<ConsumedRecord> all;
  std::vector<ConsumedRecord> mine;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (mine.size() < count && std::chrono::steady_clock::now() < deadline) {
    all = reader.ReadAtLeast(all.size() + 1, 500ms);
    mine.clear();
    for (const auto& record : all) {
      if (record.key == key) mine.push_back(record);
    }
  }
  return mine;
}

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str());
  REQUIRE(document.IsObject());
  return document;
}

/// Whether `value` follows schemas/messages.resolved.schema.json.
bool FollowsResolvedSchema(const rapidjson::Document& value) {
  std::ifstream in(std::string(SWITCHBOARD_SOURCE_DIR) + "/schemas/messages.resolved.schema.json");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document schema;
  schema.Parse(text.str().c_str());
  REQUIRE(!schema.HasParseError());
  const rapidjson::SchemaDocument compiled(schema);
  rapidjson::SchemaValidator validator(compiled);
  return value.Accept(validator);
}

std::string Member(const rapidjson::Document& document, const char* name) {
  const auto it = document.FindMember(name);
  REQUIRE_MESSAGE(it != document.MemberEnd(), name << " is missing");
  REQUIRE(it->value.IsString());
  return it->value.GetString();
}

std::int64_t Count(const std::string& sql, const std::string& param) {
  return Owner(sql, param)[0][0].as<std::int64_t>();
}

}  // namespace

TEST_CASE("resolver: a new sender gets a customer, a conversation and a stored message") {
  ResolverUnderTest stage;
  Tenant tenant;
  TopicReader resolved(stage.brokers, "messages.resolved");
  Inbound inbound{.account = tenant.account};

  CHECK(stage.resolver.Handle(inbound.Record()).kind == Outcome::Kind::kDone);

  const auto records = RecordsOf(resolved, inbound.Key(), 1);
  REQUIRE(records.size() == 1);
  const auto value = Json(records[0].value);
  const std::string message_id = Member(value, "message_id");
  const std::string event_id = EventIdFor({"messages.resolved", message_id});
  CHECK(FindHeader(records[0].headers, "event-id") == event_id);
  CHECK(FindHeader(records[0].headers, "schema") == "messages.resolved/1");
  CHECK(FindHeader(records[0].headers, "tenant") == tenant.business_id);
  CHECK(FindHeader(records[0].headers, "trace-id") == inbound.trace_id);
  CHECK(Member(value, "event_id") == event_id);
  CHECK(Member(value, "schema") == "messages.resolved/1");
  CHECK(Member(value, "business_id") == tenant.business_id);
  CHECK(Member(value, "channel") == "whatsapp");
  CHECK(Member(value, "channel_account_id") == tenant.account);
  CHECK(Member(value, "sender_id") == inbound.sender);
  CHECK(Member(value, "platform_message_id") == inbound.platform_message_id);
  CHECK(Member(value, "type") == "text");
  CHECK(Member(value, "text") == inbound.text);
  CHECK(Member(value, "sent_at") == inbound.sent_at);
  CHECK(Member(value, "received_at") == "2024-05-01T09:30:02.123Z");
  CHECK(Member(value, "trace_id") == inbound.trace_id);
  CHECK(FollowsResolvedSchema(value));

  const auto message = Owner(
      "SELECT m.business_id, m.conversation_id, m.role, m.status, m.content, m.channel, "
      "       m.platform_message_id, m.event_id, c.customer_id, c.status AS conversation_status, "
      "       c.last_inbound_at = '2024-05-01T09:30:01Z' AS window_start, cu.name, cu.phone "
      "  FROM messages m JOIN conversations c ON c.id = m.conversation_id "
      "  JOIN customers cu ON cu.id = c.customer_id WHERE m.id = $1",
      message_id);
  REQUIRE(message.size() == 1);
  const auto row = message[0];
  CHECK(row["business_id"].as<std::string>() == tenant.business_id);
  CHECK(row["conversation_id"].as<std::string>() == Member(value, "conversation_id"));
  CHECK(row["customer_id"].as<std::string>() == Member(value, "customer_id"));
  CHECK(row["role"].as<std::string>() == "user");
  CHECK(row["status"].as<std::string>() == "received");
  CHECK(row["content"].as<std::string>() == inbound.text);
  CHECK(row["channel"].as<std::string>() == "whatsapp");
  CHECK(row["platform_message_id"].as<std::string>() == inbound.platform_message_id);
  CHECK(row["event_id"].as<std::string>() == inbound.event_id);
  CHECK(row["conversation_status"].as<std::string>() == "ACTIVE");
  CHECK(row["window_start"].as<bool>());
  CHECK(row["name"].as<std::string>() == "Ann Example");
  CHECK(row["phone"].as<std::string>() == inbound.sender);

  const auto identities = Owner(
      "SELECT channel || ':' || external_id FROM customer_identities WHERE customer_id = $1 "
      "ORDER BY channel",
      Member(value, "customer_id"));
  REQUIRE(identities.size() == 2);
  CHECK(identities[0][0].as<std::string>() == "phone:" + inbound.sender);
  CHECK(identities[1][0].as<std::string>() == "whatsapp:" + inbound.sender);
}

TEST_CASE("resolver: the conversation keeps the tenant's account the newest message was sent to") {
  ResolverUnderTest stage;
  Tenant tenant;
  const std::string second = RandomDigits(15);  // the tenant's second WhatsApp number
  Owner("INSERT INTO integrations (business_id, type, platform_id) VALUES ($1, 'whatsapp', $2)",
        tenant.business_id, second);
  const Inbound first{.account = tenant.account, .sent_at = "2024-05-01T09:30:00.000Z"};
  Inbound later = first;
  later.event_id = EventIdFor({"resolver-test", RandomDigits(20)});
  later.account = second;
  later.platform_message_id = "wamid." + RandomDigits(20);
  later.sent_at = "2024-05-01T09:40:00.000Z";
  Inbound earlier = first;  // delivered last, written first: it does not move the account back
  earlier.event_id = EventIdFor({"resolver-test", RandomDigits(20)});
  earlier.platform_message_id = "wamid." + RandomDigits(20);
  earlier.sent_at = "2024-05-01T09:20:00.000Z";
  const std::string account =
      "SELECT c.channel_account_id FROM conversations c JOIN customer_identities i ON "
      "i.customer_id = c.customer_id AND i.channel = 'whatsapp' WHERE i.external_id = $1";

  REQUIRE(stage.resolver.Handle(first.Record()).kind == Outcome::Kind::kDone);
  CHECK(Owner(account, first.sender)[0][0].as<std::string>() == tenant.account);
  REQUIRE(stage.resolver.Handle(later.Record()).kind == Outcome::Kind::kDone);
  CHECK(Owner(account, first.sender)[0][0].as<std::string>() == second);
  REQUIRE(stage.resolver.Handle(earlier.Record()).kind == Outcome::Kind::kDone);
  CHECK(Owner(account, first.sender)[0][0].as<std::string>() == second);
}

TEST_CASE("resolver: the same inbound message twice is stored once and announced twice alike") {
  ResolverUnderTest stage;
  Tenant tenant;
  TopicReader resolved(stage.brokers, "messages.resolved");
  Inbound inbound{.account = tenant.account};

  CHECK(stage.resolver.Handle(inbound.Record()).kind == Outcome::Kind::kDone);
  CHECK(stage.resolver.Handle(inbound.Record()).kind == Outcome::Kind::kDone);

  const auto records = RecordsOf(resolved, inbound.Key(), 2);
  REQUIRE(records.size() == 2);
  CHECK(FindHeader(records[0].headers, "event-id") == FindHeader(records[1].headers, "event-id"));
  CHECK(records[0].value == records[1].value);
  CHECK(Count("SELECT count(*) FROM messages WHERE business_id = $1", tenant.business_id) == 1);
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);
  CHECK(Count("SELECT count(*) FROM conversations WHERE business_id = $1", tenant.business_id) ==
        1);
}

TEST_CASE("resolver: a message without platform message id is deduplicated by its event id") {
  ResolverUnderTest stage;
  Tenant tenant;
  TopicReader resolved(stage.brokers, "messages.resolved");
  Inbound reaction{.account = tenant.account, .platform_message_id = "", .type = "reaction"};

  CHECK(stage.resolver.Handle(reaction.Record()).kind == Outcome::Kind::kDone);
  CHECK(stage.resolver.Handle(reaction.Record()).kind == Outcome::Kind::kDone);

  const auto records = RecordsOf(resolved, reaction.Key(), 2);
  REQUIRE(records.size() == 2);
  CHECK(records[0].value == records[1].value);
  CHECK_FALSE(Json(records[0].value).HasMember("platform_message_id"));
  CHECK(Count("SELECT count(*) FROM messages WHERE business_id = $1", tenant.business_id) == 1);
}

TEST_CASE("resolver: two workers meeting a new sender at once create one customer") {
  ResolverUnderTest stage;
  Tenant tenant;
  // Each round, two messages of a new sender are handled at the same time (as after a
  // rebalance): both look the sender up, find nobody and create a customer; one must give way.
  for (int round = 0; round < 10; ++round) {
    Inbound first{.account = tenant.account};
    Inbound second = first;
    second.event_id = EventIdFor({"resolver-test", RandomDigits(20)});
    second.platform_message_id = "wamid." + RandomDigits(20);
    std::latch start(2);
    Outcome outcomes[2];
    const auto handle = [&](int index, const Inbound& inbound) {
      start.arrive_and_wait();
      outcomes[index] = stage.resolver.Handle(inbound.Record());
    };
    std::thread a(handle, 0, std::cref(first));
    std::thread b(handle, 1, std::cref(second));
    a.join();
    b.join();
    CHECK(outcomes[0].kind == Outcome::Kind::kDone);
    CHECK(outcomes[1].kind == Outcome::Kind::kDone);
    CHECK(Count("SELECT count(DISTINCT customer_id) FROM customer_identities "
                "WHERE channel = 'whatsapp' AND external_id = $1",
                first.sender) == 1);
    CHECK(Count("SELECT count(*) FROM customers WHERE phone = $1", first.sender) == 1);
    CHECK(Count("SELECT count(DISTINCT conversation_id) FROM messages WHERE platform_message_id "
                "IN ('" +
                    first.platform_message_id + "', $1)",
                second.platform_message_id) == 1);
  }
}

TEST_CASE("resolver: a WhatsApp sender whose number called before is the same customer") {
  ResolverUnderTest stage;
  Tenant tenant;
  TopicReader resolved(stage.brokers, "messages.resolved");
  Inbound inbound{.account = tenant.account};
  // What a voice call leaves: a customer without a name, known by its (phone, digits) identity.
  const std::string caller = Owner("INSERT INTO customers (business_id) VALUES ($1) RETURNING id",
                                   tenant.business_id)[0][0]
                                 .as<std::string>();
  Owner(
      "INSERT INTO customer_identities (business_id, customer_id, channel, external_id) "
      "VALUES ($1, $2, 'phone', $3), ($1, $2, 'voice', '+' || $3)",
      tenant.business_id, caller, inbound.sender);

  CHECK(stage.resolver.Handle(inbound.Record()).kind == Outcome::Kind::kDone);

  const auto records = RecordsOf(resolved, inbound.Key(), 1);
  REQUIRE(records.size() == 1);
  CHECK(Member(Json(records[0].value), "customer_id") == caller);
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);
  CHECK(Count("SELECT count(*) FROM customer_identities WHERE customer_id = $1 AND "
              "channel = 'whatsapp'",
              caller) == 1);
  // The platform's profile name fills in what the call did not know.
  CHECK(Owner("SELECT name FROM customers WHERE id = $1", caller)[0][0].as<std::string>() ==
        "Ann Example");
}

TEST_CASE("resolver: a customer known only by customers.phone meets its WhatsApp messages") {
  ResolverUnderTest stage;
  Tenant tenant;
  TopicReader resolved(stage.brokers, "messages.resolved");
  Inbound inbound{.account = tenant.account};
  const std::string known =
      Owner("INSERT INTO customers (business_id, name, phone) VALUES ($1, 'Ann', $2) RETURNING id",
            tenant.business_id, inbound.sender)[0][0]
          .as<std::string>();

  CHECK(stage.resolver.Handle(inbound.Record()).kind == Outcome::Kind::kDone);

  const auto records = RecordsOf(resolved, inbound.Key(), 1);
  REQUIRE(records.size() == 1);
  CHECK(Member(Json(records[0].value), "customer_id") == known);
  // A name the business entered is kept.
  CHECK(Owner("SELECT name FROM customers WHERE id = $1", known)[0][0].as<std::string>() == "Ann");
}

TEST_CASE("resolver: a customer known by its WhatsApp identity gets only the details it lacks") {
  ResolverUnderTest stage;
  Tenant tenant;
  Inbound first{.account = tenant.account, .name = "", .with_phone = false};
  REQUIRE(stage.resolver.Handle(first.Record()).kind == Outcome::Kind::kDone);
  const std::string customer =
      Owner(
          "SELECT customer_id FROM customer_identities WHERE business_id = $1 AND "
          "channel = 'whatsapp' AND external_id = $2",
          tenant.business_id, first.sender)[0][0]
          .as<std::string>();
  const auto details = [&] {
    const auto row = Owner(
        "SELECT coalesce(name, ''), coalesce(phone, '') FROM customers "
        "WHERE id = $1",
        customer)[0];
    return std::pair{row[0].as<std::string>(), row[1].as<std::string>()};
  };
  CHECK(details() == std::pair<std::string, std::string>{"", ""});

  // The profile name and number arrive with a later message: both are filled in.
  Inbound second{.account = tenant.account, .sender = first.sender, .name = "Ann Example"};
  REQUIRE(stage.resolver.Handle(second.Record()).kind == Outcome::Kind::kDone);
  CHECK(details() == std::pair<std::string, std::string>{"Ann Example", first.sender});

  // Known details are kept when the profile name changes.
  Inbound third{.account = tenant.account, .sender = first.sender, .name = "Annie"};
  REQUIRE(stage.resolver.Handle(third.Record()).kind == Outcome::Kind::kDone);
  CHECK(details() == std::pair<std::string, std::string>{"Ann Example", first.sender});
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 1);
}

TEST_CASE("resolver: a handed-off conversation gets the message, a closed one is not reopened") {
  ResolverUnderTest stage;
  Tenant tenant;
  TopicReader resolved(stage.brokers, "messages.resolved");
  Inbound first{.account = tenant.account};
  CHECK(stage.resolver.Handle(first.Record()).kind == Outcome::Kind::kDone);
  const auto firsts = RecordsOf(resolved, first.Key(), 1);
  REQUIRE(firsts.size() == 1);
  const std::string conversation = Member(Json(firsts[0].value), "conversation_id");
  Owner("UPDATE conversations SET status = 'HANDED_OFF' WHERE id = $1", conversation);

  Inbound second = first;
  second.event_id = EventIdFor({"resolver-test", RandomDigits(20)});
  second.platform_message_id = "wamid." + RandomDigits(20);
  second.sent_at = "2024-05-01T10:00:00.000Z";
  CHECK(stage.resolver.Handle(second.Record()).kind == Outcome::Kind::kDone);

  auto records = RecordsOf(resolved, first.Key(), 2);
  REQUIRE(records.size() == 2);
  CHECK(Member(Json(records[1].value), "conversation_id") == conversation);
  const auto handed_off = Owner(
      "SELECT status, last_inbound_at = '2024-05-01T10:00:00Z' FROM conversations WHERE id = $1",
      conversation);
  CHECK(handed_off[0][0].as<std::string>() == "HANDED_OFF");
  CHECK(handed_off[0][1].as<bool>());

  Owner("UPDATE conversations SET status = 'CLOSED', closed_at = now() WHERE id = $1",
        conversation);
  Inbound third = second;
  third.event_id = EventIdFor({"resolver-test", RandomDigits(20)});
  third.platform_message_id = "wamid." + RandomDigits(20);
  CHECK(stage.resolver.Handle(third.Record()).kind == Outcome::Kind::kDone);
  records = RecordsOf(resolved, first.Key(), 3);
  REQUIRE(records.size() == 3);
  const std::string reopened = Member(Json(records[2].value), "conversation_id");
  CHECK(reopened != conversation);
  CHECK(Owner("SELECT status FROM conversations WHERE id = $1", reopened)[0][0].as<std::string>() ==
        "ACTIVE");
}

TEST_CASE("resolver: an unknown channel account is a counted dead letter") {
  ResolverUnderTest stage;
  Inbound inbound{.account = RandomDigits(15)};

  const Outcome outcome = stage.resolver.Handle(inbound.Record());

  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error == "unknown channel account whatsapp:" + inbound.account);
  CHECK(stage.UnknownAccounts() == 1);
}

TEST_CASE("resolver: malformed records are dead letters naming the problem") {
  ResolverUnderTest stage;
  ConsumedRecord record = Inbound{.account = RandomDigits(15)}.Record();

  record.value = "{not json";
  Outcome outcome = stage.resolver.Handle(record);
  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error == "messages.inbound value is not a JSON object");

  record.value =
      R"({"event_id":"e","schema":"messages.inbound/1","channel":"whatsapp",)"
      R"("channel_account_id":"1","received_at":"2024-05-01T09:30:02.123Z","type":"text"})";
  outcome = stage.resolver.Handle(record);
  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error == "messages.inbound: sender_id is missing or not a string");
}

TEST_CASE("resolver: an unreadable timestamp of a known account is a dead letter") {
  ResolverUnderTest stage;
  Tenant tenant;
  Inbound inbound{.account = tenant.account, .sent_at = "not a time"};

  const Outcome outcome = stage.resolver.Handle(inbound.Record());

  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(Count("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) == 0);
}
