// End to end for calls: a customer writes on WhatsApp, then calls; Vapi's end-of-call report,
// posted to ingest's /webhooks/vapi (twice, as Vapi may), reaches the calls stage through
// voice.events and the usage stage through usage.events. Every stage is its real binary with the
// broker and database from tests/run, and fakes of the Graph API and the LLM.
#include <doctest/doctest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard::testing;
using namespace std::chrono_literals;

/// The first column of the first row of `sql` with `parameter` as the owner, or "" for none.
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

/// Vapi's end-of-call report of call `call_id` on number `phone_number_id` from `caller`, as
/// Vapi posts it to the server URL.
std::string EndOfCallReport(const std::string& phone_number_id, const std::string& call_id,
                            const std::string& caller) {
  return R"({"message":{"type":"end-of-call-report","timestamp":1714556112300,)"
         R"("endedReason":"customer-ended-call",)"
         R"("startedAt":"2024-05-01T09:33:00.000Z","endedAt":"2024-05-01T09:34:40.200Z",)"
         R"("call":{"id":")" +
         call_id + R"(","type":"inboundPhoneCall","phoneNumberId":")" + phone_number_id +
         R"(","customer":{"number":")" + caller + R"("}},"phoneNumber":{"id":")" + phone_number_id +
         R"("},"artifact":{"messages":[)"
         R"({"role":"system","message":"You are the receptionist.","time":1714555980000},)"
         R"({"role":"bot","message":"Hello, how can I help?","time":1714555981000},)"
         R"({"role":"user","message":"Can I move my appointment?","time":1714555984000},)"
         R"({"role":"tool_calls","toolCalls":[],"time":1714555985000},)"
         R"({"role":"tool_call_result","result":"ok","time":1714555986000},)"
         R"({"role":"bot","message":"Yes, it is moved.","time":1714555988000}],)"
         R"("transcript":"AI: Hello, how can I help?\nUser: Can I move my appointment?\nAI: Yes, it is moved.",)"
         R"("recordingUrl":"https://storage.vapi.ai/)" +
         call_id + R"(.wav"},"analysis":{"summary":"The caller moved an appointment."}}})";
}

}  // namespace

TEST_CASE(
    "a call from a number that wrote on WhatsApp is a voice conversation of that customer, "
    "stored and counted once when Vapi posts the report twice") {
  FakeGraphApi graph;
  FakeLlm llm;
  llm.SetScript([](const FakeLlmCall&) { return FakeLlmReply::Text("Happy to help."); });
  const auto tenant = SeedTenant({});
  const std::string phone_number_id = "pn-" + UniqueSuffix();
  {
    pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(owner);
    tx.exec_params("INSERT INTO voice_integrations (business_id, phone_number_id) VALUES ($1, $2)",
                   tenant.business_id, phone_number_id);
    tx.commit();
  }
  Pipeline pipeline(
      {.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1", .calls = true});

  const std::string wa_id = "4917" + UniqueSuffix().substr(0, 9);
  REQUIRE(pipeline
              .PostMetaDelivery(WhatsAppText(tenant.platform_id, wa_id,
                                             "wamid.e2e-" + UniqueSuffix(), "Hi, I'll call you."))
              .status == 200);
  REQUIRE(graph.WaitForRequests(1, 60s));
  const std::string customer = OneValue(
      "SELECT customer_id FROM customer_identities WHERE channel = 'whatsapp' AND external_id = $1",
      wa_id);
  REQUIRE_FALSE(customer.empty());

  const std::string call_id = "call-" + UniqueSuffix();
  const std::string report = EndOfCallReport(phone_number_id, call_id, "+" + wa_id);
  for (int delivery = 0; delivery < 2; ++delivery) {
    const HttpResult answer = pipeline.PostVapi(report);
    CHECK_MESSAGE(answer.status == 200, answer.body);
  }

  // The call is the WhatsApp sender's: one voice conversation, closed, with its transcript.
  const std::string voice_of_customer =
      "SELECT count(*) FROM conversations WHERE channel = 'voice' AND customer_id = $1";
  CHECK(WaitForValue(voice_of_customer, customer, "1", 30s) == "1");
  CHECK(WaitForValue(
            "SELECT metadata->>'summary' || ' ' || status || ' ' || "
            "(metadata->>'voice_seconds') FROM conversations WHERE metadata->>'call_id' = $1",
            call_id, "The caller moved an appointment. CLOSED 101",
            10s) == "The caller moved an appointment. CLOSED 101");
  CHECK(OneValue("SELECT string_agg(m.role || ': ' || m.content, ' | ' ORDER BY m.created_at) "
                 "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                 "WHERE c.metadata->>'call_id' = $1",
                 call_id) ==
        "assistant: Hello, how can I help? | user: Can I move my appointment? | assistant: Yes, "
        "it is moved.");

  // Usage: the call's 101 seconds (100.2, rounded up) in the month it ended, once.
  CHECK(WaitForValue("SELECT voice_seconds FROM usage_counters WHERE business_id = $1 AND "
                     "month = '2024-05-01'",
                     tenant.business_id, "101", 30s) == "101");
  // The second report was handled too (not still on its way) before the counter is read again.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (pipeline.Metric(Stage::kCalls, "switchboard_calls_reports_total") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);  // polling the stage's metrics with a deadline
  }
  CHECK(pipeline.Metric(Stage::kCalls, "switchboard_calls_reports_total") == 2);
  CHECK(OneValue(voice_of_customer, customer) == "1");
  CHECK(OneValue("SELECT count(*) FROM customers WHERE business_id = $1", tenant.business_id) ==
        "1");
  CHECK(WaitForValue("SELECT count(*) FROM usage_events WHERE business_id = $1 AND kind = 'call'",
                     tenant.business_id, "1", 10s) == "1");
  CHECK(OneValue("SELECT voice_seconds FROM usage_counters WHERE business_id = $1 AND "
                 "month = '2024-05-01'",
                 tenant.business_id) == "101");
}
