// End to end through the admin API: every stage as its real binary, switchboard-admin serve, the
// broker and database of tests/run, and fakes of the Graph API and the LLM. A person takes a
// conversation over and hands it back; a knowledge document uploaded through the API answers a
// WhatsApp question.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/admin_service.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard::testing;
using namespace std::chrono_literals;

/// The (recipient, text) of every send the fake Graph API received, in order.
std::vector<std::pair<std::string, std::string>> Sends(const FakeGraphApi& graph) {
  std::vector<std::pair<std::string, std::string>> sends;
  for (const auto& request : graph.Requests()) {
    rapidjson::Document body;
    body.Parse(request.body.c_str());
    if (!body.IsObject() || !body.HasMember("to")) continue;
    sends.emplace_back(body["to"].GetString(), body["text"]["body"].GetString());
  }
  return sends;
}

/// Waits until the agent has handled at least `count` records or 60 s passed.
bool WaitForAgent(const Pipeline& pipeline, double count) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (pipeline.Metric(Stage::kAgent, "switchboard_records_processed_total") < count) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);  // polling a metric for a condition with a deadline
  }
  return true;
}

std::string Field(const std::string& json, const std::string& name) {
  rapidjson::Document document;
  document.Parse(json.c_str());
  REQUIRE_MESSAGE((document.IsObject() && document.HasMember(name.c_str())), json);
  return document[name.c_str()].GetString();
}

}  // namespace

TEST_CASE(
    "a person's reply through the admin API reaches the Graph API once, the AI stays "
    "silent until the conversation is closed, then answers again") {
  FakeGraphApi graph;
  FakeLlm llm;
  llm.SetScript(
      [](const FakeLlmCall& call) { return FakeLlmReply::Text("AI: " + call.LastUserMessage()); });
  TenantSpec spec;
  spec.access_token = "token-" + UniqueSuffix();
  const auto tenant = SeedTenant(spec);
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  AdminService admin;
  const std::string wa_id = "49170" + RandomDigits(7);
  const auto write = [&](const std::string& text) {
    REQUIRE(pipeline
                .PostMetaDelivery(WhatsAppText(tenant.platform_id, wa_id,
                                               "wamid.takeover-" + UniqueSuffix(), text))
                .status == 200);
  };

  write("Hello");
  REQUIRE(graph.WaitForRequests(1, 60s));
  const std::string conversation =
      Owner(
          "SELECT c.id::text FROM conversations c JOIN customer_identities i "
          "ON i.customer_id = c.customer_id WHERE i.business_id = $1 AND i.external_id = $2",
          tenant.business_id, wa_id)[0][0]
          .as<std::string>();

  const std::string conversations = "/v1/tenants/" + tenant.business_id + "/conversations/";
  const auto reply = admin.AsAdmin("POST", conversations + conversation + "/messages",
                                   R"({"text":"Hi, this is Maria from the front desk."})");
  REQUIRE_MESSAGE(reply.status == 202, reply.body);
  REQUIRE(graph.WaitForRequests(2, 60s));
  CHECK(Sends(graph).back() ==
        std::pair<std::string, std::string>{wa_id, "Hi, this is Maria from the front desk."});
  CHECK(Owner("SELECT status FROM messages WHERE id = $1", Field(reply.body, "id"))[0][0]
            .as<std::string>() == "sent");

  // While a person has it, the agent handles the customer's message without answering.
  write("Thanks! Are you still there?");
  REQUIRE(WaitForAgent(pipeline, 2));
  CHECK(Owner("SELECT count(*) FROM messages WHERE conversation_id = $1 AND role = 'assistant'",
              conversation)[0][0]
            .as<int>() == 1);

  const auto closed = admin.AsAdmin("POST", conversations + conversation + "/close");
  REQUIRE_MESSAGE(closed.status == 200, closed.body);

  // The next message opens a new conversation, and the AI answers it.
  write("Can I book a cleaning?");
  REQUIRE(graph.WaitForRequests(3, 60s));
  const auto sends = Sends(graph);
  REQUIRE(sends.size() == 3);
  CHECK(sends[0].second == "AI: Hello");
  CHECK(sends[1].second == "Hi, this is Maria from the front desk.");
  CHECK(sends[2] == std::pair<std::string, std::string>{wa_id, "AI: Can I book a cleaning?"});
  CHECK(Owner("SELECT count(DISTINCT c.id) FROM conversations c JOIN customer_identities i "
              "ON i.customer_id = c.customer_id WHERE i.business_id = $1 AND i.external_id = $2",
              tenant.business_id, wa_id)[0][0]
            .as<int>() == 2);
  // The AI's prompt has the person's reply as the business's side of the history.
  bool history_has_reply = false;
  const auto calls = llm.Calls();
  REQUIRE_FALSE(calls.empty());
  for (const auto& message : calls.back().messages) {
    history_has_reply |=
        message.role == "assistant" && message.content == "Hi, this is Maria from the front desk.";
  }
  CHECK(history_has_reply);
  // The person's reply went out once.
  CHECK(Owner("SELECT count(*) FROM send_states WHERE business_id = $1 AND message_id = $2",
              tenant.business_id, Field(reply.body, "id"))[0][0]
            .as<int>() == 1);
}

TEST_CASE(
    "a knowledge document uploaded through the admin API answers a WhatsApp question "
    "(retrieval-only)") {
  FakeGraphApi graph;
  const auto tenant = SeedTenant(TenantSpec{});
  Pipeline pipeline({.graph_base_url = graph.Url()});
  AdminService admin;
  const auto uploaded = admin.AsAdmin(
      "POST", "/v1/tenants/" + tenant.business_id + "/knowledge",
      R"({"title":"Getting here","format":"markdown","content":"# Parking\n\n)"
      R"(**Free parking** is available in the courtyard behind the building, entrance from )"
      R"([Linden Street](https://example.com/map)."})");
  REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);

  const std::string wa_id = "49170" + RandomDigits(7);
  REQUIRE(pipeline
              .PostMetaDelivery(WhatsAppText(tenant.platform_id, wa_id,
                                             "wamid.knowledge-" + UniqueSuffix(),
                                             "Where can I park my car?"))
              .status == 200);
  REQUIRE(graph.WaitForRequests(1, 60s));
  const auto sends = Sends(graph);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].first == wa_id);
  CHECK(sends[0].second.find("Free parking is available in the courtyard") != std::string::npos);
  CHECK(sends[0].second.find("**") == std::string::npos);
}
