#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <future>
#include <iostream>
#include <vector>

#include "common/http_client.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_llm.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;

constexpr char kWhatsAppSend[] =
    R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"4915112345678",)"
    R"("type":"text","text":{"preview_url":false,"body":"Hi Ann"}})";

HttpClientRequest WhatsAppSend(const std::string& base_url) {
  return {.method = "POST",
          .url = base_url + "/v21.0/PN1/messages",
          .headers = {{"Authorization", "Bearer test-token"}, {"Content-Type", "application/json"}},
          .body = kWhatsAppSend,
          .timeout = std::chrono::milliseconds(5000)};
}

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str());
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

HttpClientRequest Chat(const std::string& base_url, const std::string& body) {
  return {.method = "POST",
          .url = base_url + "/v1/chat/completions",
          .headers = {{"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}},
          .body = body,
          .timeout = std::chrono::milliseconds(10000)};
}

TEST_CASE("FakeGraphApi answers a WhatsApp send with a wamid and records it") {
  FakeGraphApi graph;
  auto answer = HttpFetch(WhatsAppSend(graph.Url()));
  REQUIRE(answer.ok());
  CHECK(answer->status == 200);
  auto json = Json(answer->body);
  CHECK(std::string(json["messaging_product"].GetString()) == "whatsapp");
  CHECK(std::string(json["contacts"][0]["wa_id"].GetString()) == "4915112345678");
  CHECK(std::string(json["messages"][0]["id"].GetString()).rfind("wamid.fake-", 0) == 0);

  REQUIRE(graph.WaitForRequests(1, std::chrono::seconds(5)));
  const auto requests = graph.Requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/v21.0/PN1/messages");
  CHECK(requests[0].Header("authorization") == "Bearer test-token");
  CHECK(requests[0].body == kWhatsAppSend);
}

TEST_CASE("FakeGraphApi answers a Messenger send with recipient_id and message_id") {
  FakeGraphApi graph;
  auto answer = HttpFetch({.method = "POST",
                           .url = graph.Url() + "/v21.0/me/messages?access_token=page-token",
                           .headers = {{"Content-Type", "application/json"}},
                           .body = R"({"recipient":{"id":"PSID7"},"messaging_type":"RESPONSE",)"
                                   R"("message":{"text":"Hello"}})"});
  REQUIRE(answer.ok());
  CHECK(answer->status == 200);
  auto json = Json(answer->body);
  CHECK(std::string(json["recipient_id"].GetString()) == "PSID7");
  CHECK(std::string(json["message_id"].GetString()).rfind("m_fake-", 0) == 0);
}

TEST_CASE("FakeGraphApi plays scripted answers in order, then the default") {
  FakeGraphApi graph;
  auto throttled = ScriptedAnswer::GraphError(
      429, 130429, "(#130429) Rate limit hit: Cloud API message throughput has been reached.",
      2494055);
  throttled.retry_after_seconds = 3;
  graph.Script(throttled);
  graph.Script(ScriptedAnswer::GraphError(
      400, 131047, "(#131047) Re-engagement message: more than 24 hours have passed"));

  auto first = HttpFetch(WhatsAppSend(graph.Url()));
  REQUIRE(first.ok());
  CHECK(first->status == 429);
  CHECK(RetryAfter(*first) == std::chrono::seconds(3));
  auto error = Json(first->body);
  CHECK(error["error"]["code"].GetInt() == 130429);
  CHECK(error["error"]["error_subcode"].GetInt() == 2494055);
  CHECK(std::string(error["error"]["type"].GetString()) == "OAuthException");
  CHECK(error["error"].HasMember("fbtrace_id"));

  auto second = HttpFetch(WhatsAppSend(graph.Url()));
  REQUIRE(second.ok());
  CHECK(second->status == 400);
  CHECK(Json(second->body)["error"]["code"].GetInt() == 131047);

  auto third = HttpFetch(WhatsAppSend(graph.Url()));
  REQUIRE(third.ok());
  CHECK(third->status == 200);
  CHECK(Json(third->body)["messages"][0]["id"].IsString());
  CHECK(graph.Requests().size() == 3);
}

TEST_CASE("FakeGraphApi rejects a send without a token like the Graph API") {
  FakeGraphApi graph;
  auto request = WhatsAppSend(graph.Url());
  request.headers = {{"Content-Type", "application/json"}};
  auto answer = HttpFetch(request);
  REQUIRE(answer.ok());
  CHECK(answer->status == 401);
  CHECK(Json(answer->body)["error"]["code"].GetInt() == 190);
}

TEST_CASE("FakeLlm answers a tool call, then content, as a script decides") {
  FakeLlm llm;
  llm.SetScript([](const FakeLlmCall& call) {
    const bool tool_answered = !call.messages.empty() && call.messages.back().role == "tool";
    if (!tool_answered) return FakeLlmReply::ToolCall("find_slots", R"({"date":"2025-03-04"})");
    return FakeLlmReply::Text("We have 10:00 free.");
  });

  const std::string first_body =
      R"({"model":"gpt-test","messages":[{"role":"system","content":"You are a receptionist."},)"
      R"({"role":"user","content":"Any slot on Tuesday?"}],"tools":[{"type":"function",)"
      R"("function":{"name":"find_slots","parameters":{"type":"object"}}},{"type":"function",)"
      R"("function":{"name":"book","parameters":{"type":"object"}}}]})";
  auto first = HttpFetch(Chat(llm.Url(), first_body));
  REQUIRE(first.ok());
  CHECK(first->status == 200);
  auto json = Json(first->body);
  CHECK(std::string(json["object"].GetString()) == "chat.completion");
  CHECK(std::string(json["model"].GetString()) == "gpt-test");
  const auto& choice = json["choices"][0];
  CHECK(std::string(choice["finish_reason"].GetString()) == "tool_calls");
  CHECK(choice["message"]["content"].IsNull());
  const auto& tool_call = choice["message"]["tool_calls"][0];
  const std::string call_id = tool_call["id"].GetString();
  CHECK(std::string(tool_call["type"].GetString()) == "function");
  CHECK(std::string(tool_call["function"]["name"].GetString()) == "find_slots");
  CHECK(std::string(tool_call["function"]["arguments"].GetString()) == R"({"date":"2025-03-04"})");
  CHECK(json["usage"]["total_tokens"].GetInt() > 0);

  const std::string second_body =
      R"({"model":"gpt-test","messages":[{"role":"user","content":"Any slot on Tuesday?"},)"
      R"({"role":"assistant","content":"","tool_calls":[{"id":")" +
      call_id +
      R"(","type":"function","function":{"name":"find_slots","arguments":"{}"}}]},)"
      R"({"role":"tool","tool_call_id":")" +
      call_id + R"(","content":"[\"10:00\"]"}]})";
  auto second = HttpFetch(Chat(llm.Url(), second_body));
  REQUIRE(second.ok());
  auto json2 = Json(second->body);
  CHECK(std::string(json2["choices"][0]["finish_reason"].GetString()) == "stop");
  CHECK(std::string(json2["choices"][0]["message"]["content"].GetString()) ==
        "We have 10:00 free.");

  REQUIRE(llm.WaitForCalls(2, std::chrono::seconds(5)));
  const auto calls = llm.Calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].tool_names == std::vector<std::string>{"find_slots", "book"});
  CHECK(calls[0].LastUserMessage() == "Any slot on Tuesday?");
  REQUIRE(calls[1].messages.size() == 3);
  CHECK(calls[1].messages[1].tool_calls.at(0).name == "find_slots");
  CHECK(calls[1].messages[2].tool_call_id == call_id);
  CHECK(calls[1].messages[2].content == R"(["10:00"])");
}

TEST_CASE("FakeLlm echoes the last user message by default and scripts HTTP errors") {
  FakeLlm llm;
  auto echo = HttpFetch(
      Chat(llm.Url(), R"({"model":"m","messages":[{"role":"user","content":"Hello there"}]})"));
  REQUIRE(echo.ok());
  CHECK(std::string(Json(echo->body)["choices"][0]["message"]["content"].GetString())
            .find("Hello there") != std::string::npos);

  llm.SetScript([](const FakeLlmCall&) { return FakeLlmReply::HttpError(429); });
  auto limited =
      HttpFetch(Chat(llm.Url(), R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})"));
  REQUIRE(limited.ok());
  CHECK(limited->status == 429);
  CHECK(Json(limited->body)["error"]["message"].IsString());

  auto bad = HttpFetch(Chat(llm.Url(), "not json"));
  REQUIRE(bad.ok());
  CHECK(bad->status == 400);
}

TEST_CASE("FakeLlm refuses what the strictest OpenAI-compatible server refuses") {
  FakeLlm llm;
  const auto status = [&](const std::string& body) {
    auto answer = HttpFetch(Chat(llm.Url(), body));
    REQUIRE(answer.ok());
    return answer->status;
  };
  const std::string call =
      R"({"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}})";
  const std::string user = R"({"role":"user","content":"Hi"})";
  CHECK(status(R"({"model":"m","messages":[)" + user + "]}") == 200);
  // null content on the assistant's tool-call turn (llama.cpp answers 500 to it)
  CHECK(status(R"({"model":"m","messages":[)" + user +
               R"(,{"role":"assistant","content":null,"tool_calls":[)" + call +
               R"(]},{"role":"tool","tool_call_id":"c1","content":"ok"}]})") == 400);
  // a tool message that answers no call of the turn before it
  CHECK(status(R"({"model":"m","messages":[)" + user +
               R"(,{"role":"tool","tool_call_id":"c9","content":"ok"}]})") == 400);
  // a tool call left without an answer
  CHECK(status(R"({"model":"m","messages":[)" + user +
               R"(,{"role":"assistant","content":"","tool_calls":[)" + call + R"(]},)" + user +
               "]}") == 400);
  CHECK(status(R"({"model":"m","max_tokens":0,"messages":[)" + user + "]}") == 400);
  CHECK(status(R"({"model":"m","temperature":"warm","messages":[)" + user + "]}") == 400);
  CHECK(status(R"({"model":"m","max_tokens":64,"temperature":0.2,"messages":[)" + user +
               R"(,{"role":"assistant","content":"","tool_calls":[)" + call +
               R"(]},{"role":"tool","tool_call_id":"c1","content":"ok"}]})") == 200);
  const auto refused = llm.Refused();
  REQUIRE(refused.size() == 5);
  CHECK(refused[0].find("content") != std::string::npos);
  const auto calls = llm.Calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].max_tokens == 64);
  CHECK(calls[1].temperature == doctest::Approx(0.2));
}

TEST_CASE("FakeLlm embeddings are deterministic") {
  FakeLlm llm;
  auto embed = [&](const std::string& body) {
    auto answer = HttpFetch({.method = "POST", .url = llm.Url() + "/v1/embeddings", .body = body});
    REQUIRE(answer.ok());
    REQUIRE(answer->status == 200);
    return answer->body;
  };
  const auto a = embed(R"({"model":"e","input":"opening hours"})");
  CHECK(a == embed(R"({"model":"e","input":"opening hours"})"));
  auto json = Json(embed(R"({"model":"e","input":["a","b"]})"));
  CHECK(json["data"].Size() == 2);
  CHECK(json["data"][1]["embedding"].Size() == 8);
}

TEST_CASE("FakeLlm serves 100 concurrent delayed requests at once") {
  FakeLlm llm({.delay = std::chrono::milliseconds(300)});
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<Result<HttpClientResponse, HttpError>>> answers;
  for (int i = 0; i < 100; ++i) {
    answers.push_back(std::async(std::launch::async, [&llm, i] {
      return HttpFetch(Chat(llm.Url(), R"({"model":"m","messages":[{"role":"user","content":"n)" +
                                           std::to_string(i) + R"("}]})"));
    }));
  }
  int answered = 0;
  for (auto& answer : answers) {
    auto result = answer.get();
    if (result.ok() && result->status == 200) ++answered;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  CHECK(answered == 100);
  std::cout << "fake LLM: 100 concurrent requests delayed 300 ms each took " << elapsed.count()
            << " ms (serial would be 30000 ms)\n";
}

}  // namespace
