// The agent stage's handler against the PostgreSQL and the broker tests/run started, with the
// fake LLM (real HTTP) and the real tools. Records are handed to TurnHandler::Handle directly;
// what it emits is read back from replies.outbound and usage.events, what it stores through the
// owner role (DATABASE_OWNER_URL). Each test seeds its own tenants, so they can run again.
#include <doctest/doctest.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/hmac.hpp"
#include "common/kafka_producer.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/agent/answer_turn.hpp"

namespace {

using namespace std::chrono_literals;
using namespace switchboard;
using agent::AgentDependencies;
using agent::TurnHandler;
using testing::FakeLlm;
using testing::FakeLlmCall;
using testing::FakeLlmReply;
using testing::RequireEnv;

const std::string kFallback = "Sorry, a colleague will get back to you shortly.";
const std::string kLimit = "We cannot answer more messages this month.";

std::string Value(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

/// One inbound turn of a customer: the rows the resolver would have stored and its record.
struct Turn {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string message_id;
  std::string sender_id;
  std::string platform_message_id;
  ConsumedRecord record;

  std::string ReplyEventId() const { return EventIdFor({"replies.outbound", message_id}); }
};

/// A customer with an open conversation (in `status`) and an inbound message `text`, seeded
/// through the owner role, and the messages.resolved record for it.
Turn SeedTurn(const testing::SeededTenant& tenant, const std::string& text,
              const std::string& status = "ACTIVE") {
  const std::string suffix = testing::UniqueSuffix();
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  Turn turn;
  turn.business_id = tenant.business_id;
  turn.sender_id = "49151" + std::to_string(std::hash<std::string>{}(suffix) % 10000000);
  turn.platform_message_id = "wamid." + suffix;
  turn.customer_id = tx.exec_params1(
                           "INSERT INTO customers (business_id, name, phone) VALUES ($1, 'Maria', "
                           "$2) RETURNING id",
                           tenant.business_id, turn.sender_id)[0]
                         .as<std::string>();
  turn.conversation_id = tx.exec_params1(
                               "INSERT INTO conversations (business_id, customer_id, channel, "
                               "status) VALUES ($1, $2, 'whatsapp', $3) RETURNING id",
                               tenant.business_id, turn.customer_id, status)[0]
                             .as<std::string>();
  turn.message_id =
      tx.exec_params1(
            "INSERT INTO messages (business_id, conversation_id, role, content, "
            "platform_message_id, channel, status) VALUES ($1, $2, 'user', $3, $4, "
            "'whatsapp', 'received') RETURNING id",
            tenant.business_id, turn.conversation_id, text, turn.platform_message_id)[0]
          .as<std::string>();
  tx.commit();

  const std::string event_id = EventIdFor({"messages.resolved", turn.message_id});
  rapidjson::Document value(rapidjson::kObjectType);
  auto& a = value.GetAllocator();
  const auto set = [&](const char* key, const std::string& text_value) {
    value.AddMember(rapidjson::StringRef(key), rapidjson::Value(text_value.c_str(), a), a);
  };
  set("event_id", event_id);
  set("schema", "messages.resolved/1");
  set("business_id", turn.business_id);
  set("customer_id", turn.customer_id);
  set("conversation_id", turn.conversation_id);
  set("message_id", turn.message_id);
  set("channel", "whatsapp");
  set("channel_account_id", tenant.platform_id);
  set("sender_id", turn.sender_id);
  set("platform_message_id", turn.platform_message_id);
  set("type", "text");
  set("text", text);
  set("received_at", "2025-01-07T09:00:00.000Z");
  set("trace_id", "trace-" + suffix);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  turn.record = ConsumedRecord{.topic = "messages.resolved",
                               .key = "whatsapp:" + tenant.platform_id + ":" + turn.sender_id,
                               .value = buffer.GetString(),
                               .headers = {{"event-id", event_id},
                                           {"schema", "messages.resolved/1"},
                                           {"tenant", turn.business_id},
                                           {"trace-id", "trace-" + suffix}}};
  return turn;
}

/// The handler's dependencies with the fake LLM (or none: retrieval-only).
struct Agent {
  explicit Agent(bool with_llm = true)
      : pool(RequireEnv("DATABASE_URL"), 4),
        producer(KafkaProducer::Options{.brokers = RequireEnv("KAFKA_BROKERS")}),
        llm(agent::LlmOptions{.base_url = fake.Url() + "/v1",
                              .api_key = "sk-agent-test",
                              .model = "agent-test-model",
                              .timeout = 2000ms,
                              .max_retries = 2,
                              .backoff = {1ms, 5ms}}),
        store(pool),
        tools(pool),
        handler(
            AgentDependencies{
                store, tools, producer, with_llm ? &llm : nullptr, agent::AgentSettings{},
                [] {
                  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
                }},
            registry) {}

  Outcome Answer(const Turn& turn) { return handler.Handle(turn.record); }

  FakeLlm fake;
  db::ConnectionPool pool;
  KafkaProducer producer;
  agent::LlmClient llm;
  agent::AgentStore store;
  agent::PostgresToolStore tools;
  prometheus::Registry registry;
  TurnHandler handler;
};

/// The records of `topic` (read with `reader`) that answer `turn`, waiting for `count`.
std::vector<ConsumedRecord> RecordsFor(testing::TopicReader& reader, const Turn& turn,
                                       std::size_t count, const char* id_field) {
  const std::string wanted = std::string(id_field) == "in_reply_to"
                                 ? turn.message_id
                                 : EventIdFor({"usage.events", "reply", turn.message_id});
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  std::vector<ConsumedRecord> matching;
  while (std::chrono::steady_clock::now() < deadline) {
    matching.clear();
    for (auto& record : reader.ReadAtLeast(count, 1s)) {
      rapidjson::Document value;
      value.Parse(record.value.c_str());
      if (value.IsObject() && Value(value, id_field) == wanted) matching.push_back(record);
    }
    if (matching.size() >= count) break;
  }
  return matching;
}

struct StoredMessage {
  std::string id;
  std::string content;
  std::string kind;
  std::string event_id;
  std::string status;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int latency_ms = -1;
  std::string tool_calls;
  std::string sources;
};

/// The assistant messages of the turn's conversation.
std::vector<StoredMessage> AssistantMessages(const Turn& turn) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::read_transaction tx(connection);
  std::vector<StoredMessage> messages;
  for (const auto& row : tx.exec_params(
           "SELECT id, content, coalesce(reply_kind, ''), coalesce(event_id, ''), status, "
           "coalesce(prompt_tokens, 0), coalesce(completion_tokens, 0), coalesce(latency_ms, -1), "
           "coalesce(tool_calls::text, ''), coalesce(sources::text, '') FROM messages "
           "WHERE business_id = $1 AND conversation_id = $2 AND role = 'assistant'",
           turn.business_id, turn.conversation_id)) {
    messages.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                        row[2].as<std::string>(), row[3].as<std::string>(),
                        row[4].as<std::string>(), row[5].as<int>(), row[6].as<int>(),
                        row[7].as<int>(), row[8].as<std::string>(), row[9].as<std::string>()});
  }
  return messages;
}

/// "status/needs_human" of the turn's conversation.
std::string ConversationState(const Turn& turn) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::read_transaction tx(connection);
  const auto row = tx.exec_params1(
      "SELECT status, needs_human FROM conversations WHERE business_id = $1 AND id = $2",
      turn.business_id, turn.conversation_id);
  return row[0].as<std::string>() + "/" + (row[1].as<bool>() ? "true" : "false");
}

testing::TenantSpec DentalWithKnowledge() {
  testing::TenantSpec spec;
  spec.knowledge = {
      {"Parking",
       "Free parking is available behind the practice. Street parking on Elm Street is free "
       "after 6pm. Please do not park in the ambulance bay."},
      {"Insurance", "We accept all public insurance plans and most private ones."}};
  return spec;
}

/// The one reply to `turn` on replies.outbound, parsed.
rapidjson::Document ReplyOf(testing::TopicReader& replies, const Turn& turn) {
  const auto records = RecordsFor(replies, turn, 1, "in_reply_to");
  REQUIRE(records.size() == 1);
  rapidjson::Document value;
  value.Parse(records[0].value.c_str());
  REQUIRE(value.IsObject());
  return value;
}

TEST_CASE("agent: a question gets the LLM's reply on replies.outbound, stored with tokens") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Where can I park my car?");
  Agent agent;
  agent.fake.SetScript(
      [](const FakeLlmCall&) { return FakeLlmReply::Text("You can park behind the practice."); });
  constexpr auto kLlmDelay = 150ms;  // well inside the client's 2 s timeout
  agent.fake.SetDelay(kLlmDelay);
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");
  testing::TopicReader usage(RequireEnv("KAFKA_BROKERS"), "usage.events");

  const auto before = std::chrono::steady_clock::now();
  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
  const auto answer_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - before)
                             .count();

  const auto stored = AssistantMessages(turn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].content == "You can park behind the practice.");
  CHECK(stored[0].kind == "ai");
  CHECK(stored[0].status == "pending");
  CHECK(stored[0].event_id == turn.ReplyEventId());
  CHECK(stored[0].prompt_tokens > 0);
  CHECK(stored[0].completion_tokens > 0);
  // The turn's own time: at least the LLM's answer, at most the whole call of the handler.
  CHECK(stored[0].latency_ms >= kLlmDelay.count());
  CHECK(stored[0].latency_ms <= answer_ms);
  CHECK(stored[0].sources.find("Parking") != std::string::npos);

  const auto replies_for_turn = RecordsFor(replies, turn, 1, "in_reply_to");
  REQUIRE(replies_for_turn.size() == 1);
  const auto& record = replies_for_turn[0];
  CHECK(record.key == turn.record.key);
  CHECK(FindHeader(record.headers, "event-id") == turn.ReplyEventId());
  CHECK(FindHeader(record.headers, "schema") == "replies.outbound/1");
  CHECK(FindHeader(record.headers, "tenant") == turn.business_id);
  CHECK(FindHeader(record.headers, "trace-id") == FindHeader(turn.record.headers, "trace-id"));
  rapidjson::Document reply;
  reply.Parse(record.value.c_str());
  CHECK(Value(reply, "text") == "You can park behind the practice.");
  CHECK(Value(reply, "kind") == "ai");
  CHECK(Value(reply, "message_id") == stored[0].id);
  CHECK(Value(reply, "recipient_id") == turn.sender_id);
  CHECK(Value(reply, "reply_to_platform_message_id") == turn.platform_message_id);
  CHECK(Value(reply, "conversation_id") == turn.conversation_id);

  const auto usage_records = RecordsFor(usage, turn, 1, "event_id");
  REQUIRE(usage_records.size() == 1);
  CHECK(usage_records[0].key == turn.business_id);
  rapidjson::Document counted;
  counted.Parse(usage_records[0].value.c_str());
  CHECK(counted["messages"].GetInt() == 1);
  CHECK(counted["llm_tokens"].GetInt() == stored[0].prompt_tokens + stored[0].completion_tokens);

  // What the model was told: the business, its hours and the matching passage with its id.
  const auto calls = agent.fake.Calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].model == "agent-test-model");
  CHECK(calls[0].LastUserMessage() == "Where can I park my car?");
  const std::string& system = calls[0].messages.at(0).content;
  CHECK(system.find("Test Dental") != std::string::npos);
  CHECK(system.find("Europe/Berlin") != std::string::npos);
  CHECK(system.find("Free parking is available behind the practice.") != std::string::npos);
  CHECK(system.find("- Check-up: 30 min, 60.00 EUR") != std::string::npos);
  CHECK_FALSE(calls[0].tool_names.empty());
}

TEST_CASE("agent: the same record twice calls the LLM once and re-emits the same reply") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Do you take private insurance?");
  Agent agent;
  agent.fake.SetScript(
      [](const FakeLlmCall&) { return FakeLlmReply::Text("Yes, most private plans."); });
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  CHECK(agent.fake.Calls().size() == 1);
  CHECK(AssistantMessages(turn).size() == 1);
  const auto records = RecordsFor(replies, turn, 2, "in_reply_to");
  REQUIRE(records.size() == 2);
  CHECK(FindHeader(records[0].headers, "event-id") == turn.ReplyEventId());
  CHECK(FindHeader(records[1].headers, "event-id") == turn.ReplyEventId());
  CHECK(records[0].value == records[1].value);
}

TEST_CASE("agent: a handed-off conversation gets no AI reply") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Hello? Anyone there?", "HANDED_OFF");
  Agent agent;

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
  // Replies are emitted only after they are stored: no stored reply, no reply on the topic.
  CHECK(AssistantMessages(turn).empty());
  CHECK(agent.fake.Calls().empty());
}

TEST_CASE("agent: a turn whose conversation or business is gone is a dead letter naming it") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Is anyone there?");
  const auto remove = [](const std::string& sql, const std::string& id) {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    tx.exec_params0(sql, id);
    tx.commit();
  };
  std::string expected;
  SUBCASE("the conversation") {
    expected = "unknown conversation " + turn.conversation_id;
    remove("DELETE FROM conversations WHERE id = $1", turn.conversation_id);
  }
  SUBCASE("the business") {
    expected = "unknown business " + turn.business_id;
    remove("DELETE FROM businesses WHERE id = $1", turn.business_id);
  }
  Agent agent;

  const Outcome outcome = agent.Answer(turn);
  CHECK(outcome.kind == Outcome::Kind::kDeadLetter);
  CHECK(outcome.error == expected);
  CHECK(agent.fake.Calls().empty());
}

TEST_CASE("agent: an LLM failing after its retries gives the fallback and flags the conversation") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Can I come in tomorrow?");
  Agent agent;
  agent.fake.SetScript([](const FakeLlmCall&) { return FakeLlmReply::HttpError(500); });
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  CHECK(agent.fake.Calls().size() == 3);  // the first attempt and LLM_MAX_RETRIES = 2
  const auto reply = ReplyOf(replies, turn);
  CHECK(Value(reply, "text") == kFallback);
  CHECK(Value(reply, "kind") == "fallback");
  CHECK(ConversationState(turn) == "ACTIVE/true");
  const auto stored = AssistantMessages(turn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].kind == "fallback");
}

TEST_CASE("agent: requests carry max_tokens and temperature, and strings the server accepts") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Do you have time tomorrow?");
  Agent agent;
  agent.fake.SetScript([](const FakeLlmCall& call) {
    if (call.messages.back().role == "user") return FakeLlmReply::ToolCall("get_services", "{}");
    return FakeLlmReply::Text("We offer check-ups and cleanings.");
  });
  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
  const auto calls = agent.fake.Calls();
  REQUIRE(calls.size() == 2);  // the strict fake refused nothing
  CHECK(agent.fake.Refused().empty());
  for (const auto& call : calls) {
    CHECK(call.max_tokens == agent::LlmOptions{}.max_tokens);
    CHECK(call.temperature == doctest::Approx(agent::LlmOptions{}.temperature));
  }
  // The assistant's tool-call turn went back with "" as its content, never null.
  CHECK(calls[1].raw_body.find(R"("role":"assistant","content":"","tool_calls")") !=
        std::string::npos);
}

TEST_CASE("agent: a leaked tool call is asked for once more, then the fallback and a person") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  Agent agent;
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  SUBCASE("the second answer is fine: it is sent") {
    const Turn turn = SeedTurn(tenant, "How much is a cleaning?");
    int count = 0;
    agent.fake.SetScript([&count](const FakeLlmCall&) {
      return ++count == 1 ? FakeLlmReply::Text("functions.get_pricing:")
                          : FakeLlmReply::Text("A cleaning costs 90 EUR.");
    });
    CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
    CHECK(agent.fake.Calls().size() == 2);
    const auto reply = ReplyOf(replies, turn);
    CHECK(Value(reply, "text") == "A cleaning costs 90 EUR.");
    CHECK(Value(reply, "kind") == "ai");
    CHECK(ConversationState(turn) == "ACTIVE/false");
  }
  SUBCASE("every form, twice: the fallback, never the leaked text") {
    for (const std::string& leaked :
         {std::string("functions.get_pricing:"), std::string("<tool_call>{}</tool_call>"),
          std::string(R"({"name":"get_pricing","arguments":{}})"), std::string("  \n ")}) {
      CAPTURE(leaked);
      const Turn turn = SeedTurn(tenant, "How much is a cleaning?");
      testing::TopicReader replies_now(RequireEnv("KAFKA_BROKERS"), "replies.outbound");
      agent.fake.SetScript([leaked](const FakeLlmCall&) { return FakeLlmReply::Text(leaked); });
      const std::size_t before = agent.fake.Calls().size();
      CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
      CHECK(agent.fake.Calls().size() == before + 2);
      const auto reply = ReplyOf(replies_now, turn);
      CHECK(Value(reply, "text") == kFallback);
      CHECK(Value(reply, "kind") == "fallback");
      CHECK(ConversationState(turn) == "ACTIVE/true");
    }
  }
}

TEST_CASE("agent: an answer with a lone surrogate and invalid bytes is repaired and stored") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Hello?");
  Agent agent;
  agent.fake.SetScript([](const FakeLlmCall&) {
    FakeLlmReply reply;
    reply.raw_body =
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
        "{\"role\":\"assistant\",\"content\":\"Hi \\udc00 there \xff\xfe!\"},"
        "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}";
    return reply;
  });
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  const std::string repaired =
      "Hi \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD there \xEF\xBF\xBD\xEF\xBF\xBD!";
  const auto reply = ReplyOf(replies, turn);
  CHECK(Value(reply, "text") == repaired);
  CHECK(Value(reply, "kind") == "ai");
  const auto stored = AssistantMessages(turn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].content == repaired);
}

TEST_CASE("agent: retrieval-only mode answers a strong match with the passage") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "Is there parking?");
  Agent agent(false);
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  const auto reply = ReplyOf(replies, turn);
  CHECK(Value(reply, "kind") == "retrieval");
  CHECK(Value(reply, "text") ==
        "Free parking is available behind the practice. Street parking on Elm Street is free "
        "after 6pm. Please do not park in the ambulance bay.");
  CHECK(ConversationState(turn) == "ACTIVE/false");
  const auto stored = AssistantMessages(turn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].sources.find("Parking") != std::string::npos);
  CHECK(stored[0].prompt_tokens == 0);
}

TEST_CASE("agent: retrieval-only mode gives the fallback and a person for a weak match") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  // "practice" occurs once in one chunk: a match, but not one that answers the question.
  const Turn turn = SeedTurn(tenant, "Does the practice sell toothbrushes?");
  Agent agent(false);
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  const auto reply = ReplyOf(replies, turn);
  CHECK(Value(reply, "kind") == "fallback");
  CHECK(Value(reply, "text") == kFallback);
  CHECK(ConversationState(turn) == "ACTIVE/true");
}

TEST_CASE("agent: a tenant's question never retrieves another tenant's knowledge") {
  testing::TenantSpec spec_a;
  spec_a.knowledge = {{"Garage",
                       "The parking garage door code is ALPHA-1111. Garage parking is "
                       "free for patients."}};
  testing::TenantSpec spec_b;
  spec_b.knowledge = {{"Garage",
                       "The parking garage door code is BRAVO-2222. Garage parking is "
                       "free for patients."}};
  const auto tenant_a = testing::SeedTenant(spec_a);
  testing::SeedTenant(spec_b);
  const Turn turn = SeedTurn(tenant_a, "What is the parking garage door code?");

  SUBCASE("with the LLM") {
    Agent agent;
    CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
    const auto calls = agent.fake.Calls();
    REQUIRE(calls.size() == 1);
    const std::string& system = calls[0].messages.at(0).content;
    CHECK(system.find("ALPHA-1111") != std::string::npos);
    CHECK(system.find("BRAVO-2222") == std::string::npos);
  }
  SUBCASE("retrieval-only") {
    Agent agent(false);
    testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");
    CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);
    const auto reply = ReplyOf(replies, turn);
    CHECK(Value(reply, "kind") == "retrieval");
    CHECK(Value(reply, "text").find("ALPHA-1111") != std::string::npos);
  }
}

TEST_CASE("agent: the monthly limit reached gives the limit message without calling the LLM") {
  testing::TenantSpec spec = DentalWithKnowledge();
  spec.monthly_message_limit = 2;
  const auto tenant = testing::SeedTenant(spec);
  {
    pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(connection);
    tx.exec_params(
        "INSERT INTO usage_counters (business_id, month, messages) "
        "VALUES ($1, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 2)",
        tenant.business_id);
    tx.commit();
  }
  const Turn turn = SeedTurn(tenant, "Where can I park?");
  Agent agent;
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  CHECK(agent.fake.Calls().empty());
  const auto reply = ReplyOf(replies, turn);
  CHECK(Value(reply, "kind") == "limit");
  CHECK(Value(reply, "text") == kLimit);
}

TEST_CASE("agent: tool calls run and their results go back to the model") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "What do you offer?");
  Agent agent;
  agent.fake.SetScript([](const FakeLlmCall& call) {
    if (call.messages.back().role == "tool") {
      return FakeLlmReply::Text("We offer a check-up and a cleaning.");
    }
    return FakeLlmReply::ToolCall("get_services", "{}");
  });
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  const auto calls = agent.fake.Calls();
  REQUIRE(calls.size() == 2);
  const auto& tool_message = calls[1].messages.back();
  CHECK(tool_message.role == "tool");
  CHECK(tool_message.tool_call_id ==
        calls[1].messages[calls[1].messages.size() - 2].tool_calls.at(0).id);
  CHECK(tool_message.content.find("Cleaning") != std::string::npos);
  CHECK(Value(ReplyOf(replies, turn), "text") == "We offer a check-up and a cleaning.");
  const auto stored = AssistantMessages(turn);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].tool_calls.find("get_services") != std::string::npos);
}

TEST_CASE("agent: after five tool steps the model must answer without tools") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "What do you offer?");
  Agent agent;
  agent.fake.SetScript([](const FakeLlmCall& call) {
    if (call.tool_names.empty()) return FakeLlmReply::Text("Check-ups and cleanings.");
    return FakeLlmReply::ToolCall("get_services", "{}");
  });
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  const auto calls = agent.fake.Calls();
  REQUIRE(calls.size() == 6);
  CHECK_FALSE(calls[4].tool_names.empty());
  CHECK(calls[5].tool_names.empty());
  CHECK(Value(ReplyOf(replies, turn), "text") == "Check-ups and cleanings.");
}

TEST_CASE("agent: send_to_human hands the conversation over and tells the customer") {
  const auto tenant = testing::SeedTenant(DentalWithKnowledge());
  const Turn turn = SeedTurn(tenant, "I want to talk to a person.");
  Agent agent;
  agent.fake.SetScript([](const FakeLlmCall&) {
    return FakeLlmReply::ToolCall("send_to_human", R"({"reason":"customer asked for a person"})");
  });
  testing::TopicReader replies(RequireEnv("KAFKA_BROKERS"), "replies.outbound");

  CHECK(agent.Answer(turn).kind == Outcome::Kind::kDone);

  CHECK(agent.fake.Calls().size() == 1);
  const auto reply = ReplyOf(replies, turn);
  CHECK(Value(reply, "kind") == "ai");
  CHECK_FALSE(Value(reply, "text").empty());
  // The tool's notice to the customer, not words of the model.
  CHECK(Value(reply, "text") ==
        "I have passed your conversation to our team; a person will reply here as soon as "
        "possible.");
  CHECK(ConversationState(turn).rfind("HANDED_OFF/", 0) == 0);

  // The next message of the customer gets no AI reply.
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  const std::string next_id =
      tx.exec_params1(
            "INSERT INTO messages (business_id, conversation_id, role, content, "
            "platform_message_id, channel, status) VALUES ($1, $2, 'user', 'hello?', $3, "
            "'whatsapp', 'received') RETURNING id",
            turn.business_id, turn.conversation_id, turn.platform_message_id + ".2")[0]
          .as<std::string>();
  tx.commit();
  Turn next = turn;
  next.message_id = next_id;
  std::string value = turn.record.value;
  value.replace(value.find(turn.message_id), turn.message_id.size(), next_id);
  next.record.value = value;
  CHECK(agent.Answer(next).kind == Outcome::Kind::kDone);
  CHECK(agent.fake.Calls().size() == 1);
  CHECK(AssistantMessages(turn).size() == 1);
}

}  // namespace
