// The sender's handlers against the PostgreSQL tests/run started and a FakeGraphApi on loopback:
// records are handed to ReplySender / DeliveryStatusRecorder directly (no consumer); rows are
// seeded and checked through the owner role (DATABASE_OWNER_URL, not subject to row-level
// security). Each test seeds its own business, channel account and reply event, so they can run
// again against the same database.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/hmac.hpp"
#include "common/stage_runtime.hpp"
#include "common/token_cipher.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/sender/delivery_status.hpp"
#include "workers/sender/graph_client.hpp"
#include "workers/sender/rate_limiter.hpp"
#include "workers/sender/send_reply.hpp"

namespace {

using namespace switchboard;
using namespace std::chrono_literals;
using testing::FakeGraphApi;
using testing::RequireEnv;
using testing::ScriptedAnswer;

constexpr char kToken[] = "EAAG-sender-test-token";

/// What send_states holds for one reply.
struct SendStateRow {
  std::string state;
  int attempts = 0;
  int parts_sent = 0;
  std::string platform_message_id;
  std::string last_error;
};

/// The assistant message as the sender left it.
struct MessageRow {
  std::string status;
  std::string platform_message_id;
  std::string error_reason;
};

std::string StringOf(const rapidjson::Value& value, const char* name) {
  const auto it = value.FindMember(name);
  return it != value.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

/// A tenant with a WhatsApp account, a customer, an open conversation and a pending assistant
/// message, plus the sender's handlers wired to a fake Graph API.
struct SenderWorld {
  explicit SenderWorld(std::chrono::milliseconds graph_timeout = 5000ms)
      : client(sender::GraphConfig{
            .base_url = graph.Url(), .version = "v21.0", .timeout = graph_timeout}),
        replies(pool, cipher, client, limiter),
        statuses(pool) {
    testing::TenantSpec spec;
    spec.access_token = kToken;
    spec.services = {};
    tenant = testing::SeedTenant(spec);
    recipient =
        "4915" +
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000);
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    customer_id = tx.exec_params1(
                        "INSERT INTO customers (business_id, name) VALUES ($1, 'Ada') "
                        "RETURNING id::text",
                        tenant.business_id)[0]
                      .as<std::string>();
    conversation_id = tx.exec_params1(
                            "INSERT INTO conversations (business_id, customer_id, channel) "
                            "VALUES ($1, $2, 'whatsapp') RETURNING id::text",
                            tenant.business_id, customer_id)[0]
                          .as<std::string>();
    tx.commit();
  }

  /// A stored assistant message (status pending) with event id `event_id`; returns its id.
  std::string StoreAssistantMessage(const std::string& event_id, const std::string& text) {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    const std::string id =
        tx.exec_params1(
              "INSERT INTO messages (business_id, conversation_id, role, content, "
              "channel, status, event_id) VALUES ($1, $2, 'assistant', $3, "
              "'whatsapp', 'pending', $4) RETURNING id::text",
              tenant.business_id, conversation_id, text, event_id)[0]
            .as<std::string>();
    tx.commit();
    return id;
  }

  /// A replies.outbound record for a new reply `text` (its message stored); sets event_id and
  /// message_id.
  ConsumedRecord NewReply(const std::string& text) {
    const std::string in_reply_to = EventIdFor({"inbound", testing::UniqueSuffix()});
    event_id = EventIdFor({"replies.outbound", in_reply_to});
    message_id = StoreAssistantMessage(event_id, text);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    const std::pair<const char*, std::string> fields[] = {
        {"event_id", event_id},
        {"schema", "replies.outbound/1"},
        {"business_id", tenant.business_id},
        {"customer_id", customer_id},
        {"conversation_id", conversation_id},
        {"message_id", message_id},
        {"in_reply_to", in_reply_to},
        {"channel", "whatsapp"},
        {"channel_account_id", tenant.platform_id},
        {"recipient_id", recipient},
        {"reply_to_platform_message_id", "wamid.customer-1"},
        {"text", text},
        {"kind", "ai"},
        {"trace_id", "trace-sender-test"}};
    for (const auto& [name, value] : fields) {
      writer.Key(name);
      writer.String(value);
    }
    writer.EndObject();
    return ConsumedRecord{.topic = "replies.outbound",
                          .key = "whatsapp:" + tenant.platform_id + ":" + recipient,
                          .value = buffer.GetString(),
                          .headers = {{"event-id", event_id},
                                      {"schema", "replies.outbound/1"},
                                      {"tenant", tenant.business_id},
                                      {"trace-id", "trace-sender-test"}}};
  }

  /// A delivery.status record from ingest for our message `platform_message_id`.
  ConsumedRecord Status(const std::string& platform_message_id, const std::string& status) const {
    const std::string value =
        R"({"event_id":")" + EventIdFor({"status", platform_message_id, status}) +
        R"(","schema":"delivery.status/1","channel":"whatsapp","channel_account_id":")" +
        tenant.platform_id + R"(","platform_message_id":")" + platform_message_id +
        R"(","status":")" + status + R"(","recipient_id":")" + recipient +
        R"(","received_at":"2024-05-01T09:40:00.123Z",)" +
        (status == "failed" ? R"("errors":[{"code":131026,"title":"Message undeliverable"}],)"
                            : "") +
        R"("trace_id":"trace-status"})";
    return ConsumedRecord{.topic = "delivery.status", .value = value};
  }

  /// Runs the reply handler the way the runtime does: a thrown exception becomes its Outcome.
  Outcome HandleReply(const ConsumedRecord& record) {
    try {
      return replies.Handle(record);
    } catch (...) {
      return OutcomeOfException(std::current_exception());
    }
  }

  SendStateRow SendState() const {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    const auto rows = tx.exec_params(
        "SELECT state, attempts, parts_sent, coalesce(platform_message_id, ''), "
        "coalesce(last_error, '') FROM send_states WHERE business_id = $1 AND reply_event_id = $2",
        tenant.business_id, event_id);
    if (rows.empty()) return {};
    return SendStateRow{rows[0][0].as<std::string>(), rows[0][1].as<int>(), rows[0][2].as<int>(),
                        rows[0][3].as<std::string>(), rows[0][4].as<std::string>()};
  }

  MessageRow Message() const {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    const auto row = tx.exec_params1(
        "SELECT status, coalesce(platform_message_id, ''), coalesce(error->>'reason', '') "
        "FROM messages WHERE id = $1",
        message_id);
    return MessageRow{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
  }

  bool NeedsHuman() const {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    return tx
        .exec_params1("SELECT needs_human FROM conversations WHERE id = $1", conversation_id)[0]
        .as<bool>();
  }

  FakeGraphApi graph;
  db::ConnectionPool pool{RequireEnv("DATABASE_URL"), 2};
  TokenCipher cipher{RequireEnv("TOKEN_ENCRYPTION_KEYS")};
  sender::RateLimiter limiter{1000};
  sender::GraphClient client;
  sender::ReplySender replies;
  sender::DeliveryStatusRecorder statuses;
  testing::SeededTenant tenant;
  std::string recipient;
  std::string customer_id;
  std::string conversation_id;
  std::string event_id;
  std::string message_id;
};

rapidjson::Document BodyOf(const testing::RecordedRequest& request) {
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  REQUIRE_FALSE(body.HasParseError());
  return body;
}

TEST_CASE("sender: a reply reaches the Graph API with the tenant's token and is recorded sent") {
  SenderWorld world;
  const auto record = world.NewReply("Hallo Ada, dein Termin ist bestätigt.");
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);

  const auto requests = world.graph.Requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/v21.0/" + world.tenant.platform_id + "/messages");
  CHECK(requests[0].Header("Authorization") == std::string("Bearer ") + kToken);
  const auto body = BodyOf(requests[0]);
  CHECK(StringOf(body, "messaging_product") == "whatsapp");
  CHECK(StringOf(body, "to") == world.recipient);
  CHECK(StringOf(body["text"], "body") == "Hallo Ada, dein Termin ist bestätigt.");
  CHECK(StringOf(body["context"], "message_id") == "wamid.customer-1");

  const SendStateRow state = world.SendState();
  CHECK(state.state == "sent");
  CHECK(state.attempts == 1);
  CHECK(state.parts_sent == 1);
  CHECK(state.platform_message_id.rfind("wamid.fake-", 0) == 0);
  const MessageRow message = world.Message();
  CHECK(message.status == "sent");
  CHECK(message.platform_message_id == state.platform_message_id);
  CHECK_FALSE(world.NeedsHuman());
}

TEST_CASE("sender: the same reply event twice sends one request") {
  SenderWorld world;
  const auto record = world.NewReply("Only once, please.");
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.graph.Requests().size() == 1);
  CHECK(world.SendState().attempts == 1);
}

std::string LongText() {
  std::string text;
  for (int i = 0; text.size() < 9000; ++i) {
    text += "Sentence number " + std::to_string(i) + " of a long answer about opening hours. ";
  }
  return text;
}

TEST_CASE("sender: a text over the WhatsApp limit goes out as several messages, in order") {
  SenderWorld world;
  const std::string text = LongText();
  CHECK(world.HandleReply(world.NewReply(text)).kind == Outcome::Kind::kDone);

  const auto requests = world.graph.Requests();
  REQUIRE(requests.size() == 3);
  std::string joined;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto body = BodyOf(requests[i]);
    const std::string part = StringOf(body["text"], "body");
    CHECK(part.size() <= 4096);
    CHECK(body.HasMember("context") == (i == 0));  // only the first part quotes the customer
    joined += (i == 0 ? "" : " ") + part;
  }
  CHECK(joined + " " == text);
  const SendStateRow state = world.SendState();
  CHECK(state.state == "sent");
  CHECK(state.parts_sent == 3);
}

TEST_CASE("sender: a refused part is retried and the reply resumes after the confirmed parts") {
  SenderWorld world;
  const auto record = world.NewReply(LongText());
  world.graph.Script(ScriptedAnswer{.status = 200,
                                    .body = R"({"messaging_product":"whatsapp","contacts":[],)"
                                            R"("messages":[{"id":"wamid.part-1"}]})"});
  world.graph.Script(ScriptedAnswer::GraphError(500, 131000, "Something went wrong"));

  CHECK(world.HandleReply(record).kind == Outcome::Kind::kRetry);
  SendStateRow state = world.SendState();
  CHECK(state.state == "pending");
  CHECK(state.parts_sent == 1);
  CHECK(state.platform_message_id == "wamid.part-1");

  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  const auto requests = world.graph.Requests();
  REQUIRE(requests.size() == 4);  // part 1, part 2 refused, part 2 again, part 3
  CHECK(requests[1].body == requests[2].body);
  CHECK(requests[0].body != requests[2].body);
  state = world.SendState();
  CHECK(state.state == "sent");
  CHECK(state.parts_sent == 3);
  CHECK(state.attempts == 2);
  CHECK(world.Message().platform_message_id == "wamid.part-1");
}

TEST_CASE("sender: 429 with Retry-After retries, waits the hint, then sends") {
  SenderWorld world;
  const auto record = world.NewReply("Busy right now?");
  auto limited = ScriptedAnswer::GraphError(429, 130429, "Rate limit hit");
  limited.retry_after_seconds = 1;
  world.graph.Script(limited);

  const Outcome first = world.HandleReply(record);
  CHECK(first.kind == Outcome::Kind::kRetry);
  CHECK(first.error.find("retry after 1 s") != std::string::npos);
  CHECK(world.SendState().state == "pending");
  CHECK(world.Message().status == "pending");

  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  const auto requests = world.graph.Requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].arrived - requests[0].arrived >= 900ms);
  CHECK(world.SendState().state == "sent");
  CHECK(world.Message().status == "sent");
}

TEST_CASE("sender: 131047 (outside the 24 h window) fails the reply and flags the conversation") {
  SenderWorld world;
  const auto record = world.NewReply("Are you still there?");
  world.graph.Script(ScriptedAnswer::GraphError(400, 131047, "Re-engagement message"));

  const Outcome outcome = world.HandleReply(record);
  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error.find("outside_24h_window") != std::string::npos);
  const SendStateRow state = world.SendState();
  CHECK(state.state == "failed");
  CHECK(state.last_error.find("outside_24h_window") != std::string::npos);
  CHECK(world.Message().status == "failed");
  CHECK(world.Message().error_reason == "outside_24h_window");
  CHECK(world.NeedsHuman());

  // A redelivered record does not try again.
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.graph.Requests().size() == 1);
}

TEST_CASE("sender: a reply whose integration is gone or has no token fails without a request") {
  SenderWorld world;
  const auto record = world.NewReply("Hello again.");
  std::string expected;
  SUBCASE("the integration was deactivated") {
    expected = "no_integration";
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    tx.exec_params0("UPDATE integrations SET active = false WHERE business_id = $1",
                    world.tenant.business_id);
    tx.commit();
  }
  SUBCASE("the integration has no access token") {
    expected = "no_token";
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    tx.exec_params0(
        "UPDATE integrations SET access_token_ciphertext = NULL, token_key_id = NULL "
        "WHERE business_id = $1",
        world.tenant.business_id);
    tx.commit();
  }

  const Outcome outcome = world.HandleReply(record);
  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error.find(expected) != std::string::npos);
  CHECK(world.graph.Requests().empty());
  const SendStateRow state = world.SendState();
  CHECK(state.state == "failed");
  CHECK(state.attempts == 0);
  CHECK(state.last_error.find(expected) != std::string::npos);
  CHECK(world.Message().status == "failed");
  CHECK(world.NeedsHuman());

  // A redelivered record finds the reply decided and does nothing more.
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.graph.Requests().empty());
  CHECK(world.SendState().attempts == 0);
}

TEST_CASE("sender: a send cut off by a crash is never repeated, the outcome is unknown") {
  SenderWorld world;
  const auto record = world.NewReply("Did this go out?");
  {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    tx.exec_params(
        "INSERT INTO send_states (business_id, reply_event_id, message_id, state, attempts) "
        "VALUES ($1, $2, $3, 'sending', 1)",
        world.tenant.business_id, world.event_id, world.message_id);
    tx.commit();
  }
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.graph.Requests().empty());
  CHECK(world.SendState().state == "unknown");
  CHECK(world.Message().status == "unknown");
  CHECK(world.Message().error_reason == "interrupted_send");
  CHECK(world.NeedsHuman());
}

TEST_CASE("sender: a timeout after the request was sent leaves the outcome unknown") {
  SenderWorld world(300ms);
  const auto record = world.NewReply("Slow platform");
  world.graph.Script(ScriptedAnswer{.status = 200,
                                    .body = R"({"messages":[{"id":"wamid.late"}]})",
                                    .retry_after_seconds = std::nullopt,
                                    .delay = 2000ms});
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.SendState().state == "unknown");
  CHECK(world.Message().status == "unknown");
  CHECK(world.NeedsHuman());
  CHECK(world.HandleReply(record).kind == Outcome::Kind::kDone);
  CHECK(world.graph.Requests().size() == 1);
}

TEST_CASE("sender: delivery statuses only move a message forward (sent, read, delivered → read)") {
  SenderWorld world;
  REQUIRE(world.HandleReply(world.NewReply("Status me")).kind == Outcome::Kind::kDone);
  const std::string platform_id = world.Message().platform_message_id;
  REQUIRE_FALSE(platform_id.empty());

  for (const char* status : {"sent", "read", "delivered", "failed"}) {
    CAPTURE(status);
    CHECK(world.statuses.Handle(world.Status(platform_id, status)).kind == Outcome::Kind::kDone);
  }
  CHECK(world.Message().status == "read");
  CHECK_FALSE(world.NeedsHuman());
}

TEST_CASE("sender: a failed delivery status records the errors and flags the conversation") {
  SenderWorld world;
  REQUIRE(world.HandleReply(world.NewReply("Will fail later")).kind == Outcome::Kind::kDone);
  const std::string platform_id = world.Message().platform_message_id;
  CHECK(world.statuses.Handle(world.Status(platform_id, "delivered")).kind == Outcome::Kind::kDone);
  CHECK(world.statuses.Handle(world.Status(platform_id, "failed")).kind == Outcome::Kind::kDone);
  CHECK(world.Message().status == "failed");
  CHECK(world.Message().error_reason == "delivery_failed");
  CHECK(world.NeedsHuman());
}

TEST_CASE("sender: statuses of messages we did not send, and system errors, change nothing") {
  SenderWorld world;
  CHECK(world.statuses.Handle(world.Status("wamid.from-the-phone-app", "read")).kind ==
        Outcome::Kind::kDone);
  const ConsumedRecord system_error{
      .topic = "delivery.status",
      .value = R"({"event_id":"e-sys","schema":"delivery.status/1","channel":"whatsapp",)"
               R"("channel_account_id":")" +
               world.tenant.platform_id +
               R"(","status":"error","received_at":"2024-05-01T09:40:00.123Z",)"
               R"("errors":[{"code":131056}],"trace_id":"t"})"};
  CHECK(world.statuses.Handle(system_error).kind == Outcome::Kind::kDone);
  CHECK(world.statuses.Handle(ConsumedRecord{.topic = "delivery.status", .value = "{}"}).kind ==
        Outcome::Kind::kDeadLetter);
}

}  // namespace
