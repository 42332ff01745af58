// End to end: every stage as its real binary, the real broker and database from tests/run, and
// fakes of the internet services (Graph API, LLM) speaking their wire formats on loopback.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard::testing;
using namespace std::chrono_literals;

/// One message the fake Graph API received: to whom, what text.
struct Sent {
  std::string path;
  std::string authorization;
  std::string to;
  std::string text;
};

std::vector<Sent> SentMessages(const FakeGraphApi& graph) {
  std::vector<Sent> sent;
  for (const auto& request : graph.Requests()) {
    rapidjson::Document body;
    body.Parse(request.body.c_str());
    if (!body.IsObject() || !body.HasMember("to")) continue;
    sent.push_back({request.path, request.Header("Authorization").value_or(""),
                    body["to"].GetString(), body["text"]["body"].GetString()});
  }
  return sent;
}

std::string OneValue(const std::string& sql, const std::string& parameter) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::nontransaction tx(connection);
  const auto result = tx.exec_params(sql, parameter);
  return result.empty() || result[0][0].is_null() ? "" : result[0][0].as<std::string>();
}

/// Waits until `sql` with `parameter` returns `expected` or `timeout` passes; returns the last.
std::string WaitForValue(const std::string& sql, const std::string& parameter,
                         const std::string& expected, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string value = OneValue(sql, parameter);
  while (value != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);  // polling the database for a condition with a deadline
    value = OneValue(sql, parameter);
  }
  return value;
}

/// A weekday at least two days ahead (the test tenant opens Monday to Friday).
std::string NextOpenDate() {
  auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
             std::chrono::days(2);
  while (std::chrono::weekday(day) == std::chrono::Saturday ||
         std::chrono::weekday(day) == std::chrono::Sunday) {
    day += std::chrono::days(1);
  }
  const std::chrono::year_month_day date(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

/// The fake LLM's part of a booking dialogue: check the slot, book it, then say how it went.
FakeLlmReply BookingScript(const FakeLlmCall& call, const std::string& date) {
  const auto& last = call.messages.back();
  if (last.role == "user") {
    return FakeLlmReply::ToolCall("check_availability", R"({"date":")" + date + R"("})");
  }
  if (call.messages.size() >= 2 && last.role == "tool") {
    const auto& request = call.messages[call.messages.size() - 2];
    if (!request.tool_calls.empty() && request.tool_calls[0].name == "check_availability") {
      return FakeLlmReply::ToolCall("book_appointment",
                                    R"({"service":"Check-up","start":")" + date + R"(T10:00"})");
    }
    return FakeLlmReply::Text(last.content.find("taken") != std::string::npos
                                  ? "Sorry, that slot is taken."
                                  : "You are booked for " + date + " at 10:00.");
  }
  return FakeLlmReply::Text("?");
}

}  // namespace

TEST_CASE("a WhatsApp text gets the AI's reply at the Graph API with the tenant's token") {
  FakeGraphApi graph;
  FakeLlm llm;
  llm.SetScript([](const FakeLlmCall& call) {
    return FakeLlmReply::Text("Hello! You asked: " + call.LastUserMessage());
  });
  TenantSpec spec;
  spec.access_token = "token-" + UniqueSuffix();
  const auto tenant = SeedTenant(spec);
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});

  const auto body = WhatsAppText(tenant.platform_id, "491700000001", "wamid.e2e-" + UniqueSuffix(),
                                 "Are you open on Saturday?");
  REQUIRE(pipeline.PostMetaDelivery(body).status == 200);
  REQUIRE(graph.WaitForRequests(1, 60s));
  const auto sent = SentMessages(graph);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].path == "/v21.0/" + tenant.platform_id + "/messages");
  CHECK(sent[0].authorization == "Bearer " + spec.access_token);
  CHECK(sent[0].to == "491700000001");
  CHECK(sent[0].text == "Hello! You asked: Are you open on Saturday?");
}

TEST_CASE("the same webhook delivered twice gets one reply") {
  FakeGraphApi graph;
  FakeLlm llm;
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  const auto first =
      WhatsAppText(tenant.platform_id, "491700000002", "wamid.dup-" + UniqueSuffix(), "first");
  REQUIRE(pipeline.PostMetaDelivery(first).status == 200);
  REQUIRE(pipeline.PostMetaDelivery(first).status == 200);
  // A later message of the same conversation is handled after both copies (one key, in order):
  // once its reply is out, a second reply to the duplicate would have been sent already.
  const auto second =
      WhatsAppText(tenant.platform_id, "491700000002", "wamid.dup-" + UniqueSuffix(), "second");
  REQUIRE(pipeline.PostMetaDelivery(second).status == 200);
  REQUIRE(graph.WaitForRequests(2, 60s));
  const auto sent = SentMessages(graph);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].text == "You said: first");
  CHECK(sent[1].text == "You said: second");
  CHECK(llm.Calls().size() == 2);
}

TEST_CASE("an LLM failing with 500 gets the fallback message out and flags the conversation") {
  FakeGraphApi graph;
  FakeLlm llm;
  llm.SetScript([](const FakeLlmCall&) { return FakeLlmReply::HttpError(500); });
  TenantSpec spec;
  const auto tenant = SeedTenant(spec);
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  const auto body =
      WhatsAppText(tenant.platform_id, "491700000003", "wamid.fb-" + UniqueSuffix(), "Hello?");
  REQUIRE(pipeline.PostMetaDelivery(body).status == 200);
  REQUIRE(graph.WaitForRequests(1, 90s));
  CHECK(SentMessages(graph).at(0).text == "Sorry, a colleague will get back to you shortly.");
  CHECK(WaitForValue("SELECT bool_or(needs_human)::text FROM conversations WHERE business_id = $1",
                     tenant.business_id, "true", 30s) == "true");
}

TEST_CASE("a tool call the model writes as text never reaches the customer: the fallback does") {
  FakeGraphApi graph;
  FakeLlm llm;
  llm.SetScript([](const FakeLlmCall&) { return FakeLlmReply::Text("functions.get_pricing:"); });
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  const auto body = WhatsAppText(tenant.platform_id, "491700000009", "wamid.leak-" + UniqueSuffix(),
                                 "How much is a cleaning?");
  REQUIRE(pipeline.PostMetaDelivery(body).status == 200);
  REQUIRE(graph.WaitForRequests(1, 90s));
  const auto sent = SentMessages(graph);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].text == "Sorry, a colleague will get back to you shortly.");
  CHECK(llm.Calls().size() == 2);  // the leaked answer, one more attempt, then the fallback
  CHECK(llm.Refused().empty());
  CHECK(WaitForValue("SELECT bool_or(needs_human)::text FROM conversations WHERE business_id = $1",
                     tenant.business_id, "true", 30s) == "true");
  CHECK(pipeline.Metric(Stage::kAgent, "switchboard_agent_answers_refused_total") == 2);
}

TEST_CASE("a handed-off conversation gets no AI reply") {
  FakeGraphApi graph;
  FakeLlm llm;
  llm.SetScript([](const FakeLlmCall& call) {
    if (call.messages.back().role == "user") {
      return FakeLlmReply::ToolCall("send_to_human", R"({"reason":"asked for a person"})");
    }
    return FakeLlmReply::Text("A colleague will take over.");
  });
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  const auto first = WhatsAppText(tenant.platform_id, "491700000004", "wamid.ho-" + UniqueSuffix(),
                                  "I want to talk to a person");
  REQUIRE(pipeline.PostMetaDelivery(first).status == 200);
  REQUIRE(graph.WaitForRequests(1, 60s));
  CHECK(WaitForValue("SELECT status FROM conversations WHERE business_id = $1", tenant.business_id,
                     "HANDED_OFF", 30s) == "HANDED_OFF");
  const std::size_t calls_before = llm.Calls().size();

  const std::string second_id = "wamid.ho-" + UniqueSuffix();
  REQUIRE(pipeline
              .PostMetaDelivery(
                  WhatsAppText(tenant.platform_id, "491700000004", second_id, "Hello again?"))
              .status == 200);
  // The resolver stores the message; the agent is done with it once its offset is committed,
  // which the usage stage cannot tell us, so wait for the agent's records-processed counter.
  CHECK(WaitForValue("SELECT count(*)::text FROM messages WHERE business_id = $1 AND role = 'user'",
                     tenant.business_id, "2", 30s) == "2");
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (pipeline.Metric(Stage::kAgent, "switchboard_records_processed_total") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);  // polling /metrics for a condition with a deadline
  }
  CHECK(pipeline.Metric(Stage::kAgent, "switchboard_records_processed_total") >= 2);
  CHECK(llm.Calls().size() == calls_before);
  CHECK(OneValue("SELECT count(*)::text FROM messages WHERE business_id = $1 AND role = "
                 "'assistant'",
                 tenant.business_id) == "1");
  CHECK(graph.Requests().size() == 1);
}

TEST_CASE("a booking dialogue stores one appointment in the business's time zone") {
  FakeGraphApi graph;
  FakeLlm llm;
  const std::string date = NextOpenDate();
  llm.SetScript([date](const FakeLlmCall& call) { return BookingScript(call, date); });
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  REQUIRE(pipeline
              .PostMetaDelivery(WhatsAppText(tenant.platform_id, "491700000005",
                                             "wamid.book-" + UniqueSuffix(),
                                             "Can I get a check-up on " + date + " at 10?"))
              .status == 200);
  REQUIRE(graph.WaitForRequests(1, 60s));
  CHECK(SentMessages(graph).at(0).text == "You are booked for " + date + " at 10:00.");
  // Two tool steps, each answered in a request the strictest server accepts.
  CHECK(llm.Calls().size() == 3);
  CHECK(llm.Refused().empty());
  CHECK(OneValue("SELECT count(*)::text FROM appointments WHERE business_id = $1 AND status = "
                 "'booked'",
                 tenant.business_id) == "1");
  // 10:00 on that date in Europe/Berlin, as PostgreSQL's own time zone database computes it.
  CHECK(OneValue("SELECT (starts_at = ('" + date +
                     " 10:00'::timestamp AT TIME ZONE 'Europe/Berlin'))::text FROM appointments "
                     "WHERE business_id = $1",
                 tenant.business_id) == "true");
}

TEST_CASE("two customers booking the same slot at once: one appointment, the other told taken") {
  FakeGraphApi graph;
  FakeLlm llm;
  const std::string date = NextOpenDate();
  llm.SetScript([date](const FakeLlmCall& call) { return BookingScript(call, date); });
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  for (const char* customer : {"491700000006", "491700000007"}) {
    REQUIRE(pipeline
                .PostMetaDelivery(WhatsAppText(tenant.platform_id, customer,
                                               "wamid.race-" + UniqueSuffix(),
                                               "Check-up on " + date + " at 10 please"))
                .status == 200);
  }
  REQUIRE(graph.WaitForRequests(2, 60s));
  std::multiset<std::string> texts;
  for (const auto& sent : SentMessages(graph)) texts.insert(sent.text);
  CHECK(texts == std::multiset<std::string>{"Sorry, that slot is taken.",
                                            "You are booked for " + date + " at 10:00."});
  CHECK(OneValue("SELECT count(*)::text FROM appointments WHERE business_id = $1",
                 tenant.business_id) == "1");
}

TEST_CASE("tenant A's questions never retrieve tenant B's knowledge") {
  FakeGraphApi graph;
  FakeLlm llm;
  TenantSpec a;
  a.knowledge = {{"Parking", "Parking is free behind the building, entrance on Elm Street."}};
  TenantSpec b;
  b.knowledge = {{"Parking", "Parking code ZEBRA-42 opens the garage; parking is underground."}};
  const auto tenant_a = SeedTenant(a);
  SeedTenant(b);
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  REQUIRE(pipeline
              .PostMetaDelivery(WhatsAppText(tenant_a.platform_id, "491700000008",
                                             "wamid.kb-" + UniqueSuffix(),
                                             "Where is parking? Is there a parking code?"))
              .status == 200);
  REQUIRE(llm.WaitForCalls(1, 60s));
  const auto calls = llm.Calls();
  std::string prompt;
  for (const auto& message : calls.at(0).messages) prompt += message.content + "\n";
  CHECK(prompt.find("Elm Street") != std::string::npos);
  CHECK(prompt.find("ZEBRA") == std::string::npos);
}

TEST_CASE(
    "200 messages in 20 conversations, resolver and agent killed midway: each answered once, in "
    "order") {
  FakeGraphApi graph;
  FakeLlm llm;
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  const std::string run = UniqueSuffix();
  constexpr int kConversations = 20;
  constexpr int kPerConversation = 10;
  auto post_round = [&](int round) {
    for (int c = 0; c < kConversations; ++c) {
      const std::string wa_id = "4917100" + std::to_string(1000 + c);
      REQUIRE(pipeline
                  .PostMetaDelivery(WhatsAppText(
                      tenant.platform_id, wa_id,
                      "wamid.kill-" + run + "-" + std::to_string(c) + "-" + std::to_string(round),
                      "m" + std::to_string(round)))
                  .status == 200);
    }
  };
  for (int round = 0; round < 3; ++round) post_round(round);
  REQUIRE(graph.WaitForRequests(20, 60s));
  pipeline.Kill(Stage::kResolver);
  for (int round = 3; round < 6; ++round) post_round(round);
  pipeline.Start(Stage::kResolver);
  REQUIRE(graph.WaitForRequests(80, 90s));
  pipeline.Kill(Stage::kAgent);
  for (int round = 6; round < kPerConversation; ++round) post_round(round);
  pipeline.Start(Stage::kAgent);
  REQUIRE(graph.WaitForRequests(kConversations * kPerConversation, 120s));

  std::map<std::string, std::vector<std::string>> replies;
  for (const auto& sent : SentMessages(graph)) replies[sent.to].push_back(sent.text);
  REQUIRE(replies.size() == kConversations);
  std::vector<std::string> expected;
  for (int round = 0; round < kPerConversation; ++round) {
    expected.push_back("You said: m" + std::to_string(round));
  }
  for (const auto& [to, texts] : replies) {
    INFO("conversation with " << to);
    CHECK(texts == expected);
  }
  CHECK(graph.Requests().size() == kConversations * kPerConversation);
}

TEST_CASE(
    "a sender killed mid-send never sends twice, the cut-off reply is marked unknown and flagged") {
  FakeGraphApi graph;
  FakeLlm llm;
  const auto tenant = SeedTenant({});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  // The first send hangs at the fake Graph API; the sender dies while it waits for the answer.
  graph.Script({.status = 200,
                .body = R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.late"}]})",
                .delay = 30s});
  REQUIRE(pipeline
              .PostMetaDelivery(WhatsAppText(tenant.platform_id, "491700000009",
                                             "wamid.cut-" + UniqueSuffix(), "cut off"))
              .status == 200);
  REQUIRE(graph.WaitForRequests(1, 60s));
  pipeline.Kill(Stage::kSender);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(pipeline
                .PostMetaDelivery(WhatsAppText(tenant.platform_id, "491700000010",
                                               "wamid.after-" + UniqueSuffix(),
                                               "after " + std::to_string(i)))
                .status == 200);
  }
  pipeline.Start(Stage::kSender);
  REQUIRE(graph.WaitForRequests(6, 90s));
  // The cut-off send is unknown (never retried), the five after it are sent.
  const std::string states = "sent,sent,sent,sent,sent,unknown";
  CHECK(WaitForValue("SELECT string_agg(state, ',' ORDER BY state) FROM send_states WHERE "
                     "business_id = $1",
                     tenant.business_id, states, 30s) == states);
  CHECK(OneValue("SELECT bool_or(needs_human)::text FROM conversations c JOIN customers u ON "
                 "u.id = c.customer_id WHERE c.business_id = $1 AND u.phone = '491700000009'",
                 tenant.business_id) == "true");
  std::map<std::string, int> sends;
  for (const auto& sent : SentMessages(graph)) ++sends[sent.text];
  CHECK(sends["You said: cut off"] == 1);
  for (int i = 0; i < 5; ++i) CHECK(sends["You said: after " + std::to_string(i)] == 1);
}
