// LlmClient against the fake OpenAI-compatible server (real HTTP on a loopback port).
#include "workers/agent/llm_client.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <boost/asio/this_coro.hpp>

#include "tests/support/fake_llm.hpp"
#include "tests/support/loopback_server.hpp"

namespace {

using namespace std::chrono_literals;
using switchboard::agent::ChatMessage;
using switchboard::agent::LlmClient;
using switchboard::agent::LlmOptions;
using switchboard::testing::FakeLlm;
using switchboard::testing::FakeLlmCall;
using switchboard::testing::FakeLlmReply;

constexpr const char* kTools =
    R"([{"type":"function","function":{"name":"get_services","description":"List services",)"
    R"("parameters":{"type":"object","properties":{}}}}])";

LlmOptions OptionsFor(const std::string& base_url) {
  LlmOptions options;
  options.base_url = base_url + "/v1";
  options.api_key = "sk-test-secret";
  options.model = "test-model";
  options.timeout = 2000ms;
  options.max_retries = 2;
  options.backoff = {1ms, 5ms};
  return options;
}

std::vector<ChatMessage> Conversation() {
  return {{"system", "You are a receptionist.", {}, {}}, {"user", "Are you open today?", {}, {}}};
}

std::string HeaderOf(const FakeLlmCall& call, std::string_view name) {
  for (const auto& [key, value] : call.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return value;
    }
  }
  return "";
}

TEST_CASE("LlmClient sends model, messages, tools and the bearer key, and reads the reply") {
  FakeLlm fake;
  fake.SetScript([](const FakeLlmCall&) { return FakeLlmReply::Text("Yes, until 18:00."); });
  LlmClient client(OptionsFor(fake.Url()));

  auto completion = client.Complete(Conversation(), kTools);
  REQUIRE(completion.ok());
  CHECK(completion->content == "Yes, until 18:00.");
  CHECK(completion->tool_calls.empty());
  CHECK(completion->prompt_tokens > 0);
  CHECK(completion->completion_tokens > 0);

  const auto calls = fake.Calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].model == "test-model");
  REQUIRE(calls[0].messages.size() == 2);
  CHECK(calls[0].messages[0].role == "system");
  CHECK(calls[0].messages[1].content == "Are you open today?");
  CHECK(calls[0].tool_names == std::vector<std::string>{"get_services"});
  CHECK(HeaderOf(calls[0], "Authorization") == "Bearer sk-test-secret");
  CHECK(HeaderOf(calls[0], "Content-Type") == "application/json");

  rapidjson::Document body;
  body.Parse(calls[0].raw_body.c_str());
  REQUIRE(body.IsObject());
  CHECK(std::string(body["tool_choice"].GetString()) == "auto");
}

TEST_CASE("LlmClient without tools sends neither tools nor tool_choice") {
  FakeLlm fake;
  LlmClient client(OptionsFor(fake.Url()));
  REQUIRE(client.Complete(Conversation(), "").ok());
  rapidjson::Document body;
  body.Parse(fake.Calls().at(0).raw_body.c_str());
  CHECK_FALSE(body.HasMember("tools"));
  CHECK_FALSE(body.HasMember("tool_choice"));
}

TEST_CASE("LlmClient parses tool calls and sends them back with the tool results") {
  FakeLlm fake;
  fake.SetScript([](const FakeLlmCall& call) {
    if (call.messages.back().role == "tool") return FakeLlmReply::Text("We offer haircuts.");
    return FakeLlmReply::ToolCall("check_availability", R"({"date":"2025-01-02"})");
  });
  LlmClient client(OptionsFor(fake.Url()));

  auto messages = Conversation();
  auto first = client.Complete(messages, kTools);
  REQUIRE(first.ok());
  REQUIRE(first->tool_calls.size() == 1);
  CHECK(first->content.empty());
  CHECK(first->tool_calls[0].name == "check_availability");
  CHECK(first->tool_calls[0].arguments == R"({"date":"2025-01-02"})");
  CHECK_FALSE(first->tool_calls[0].id.empty());

  messages.push_back({"assistant", "", {}, first->tool_calls});
  messages.push_back({"tool", R"({"slots":[]})", first->tool_calls[0].id, {}});
  auto second = client.Complete(messages, kTools);
  REQUIRE(second.ok());
  CHECK(second->content == "We offer haircuts.");

  const auto calls = fake.Calls();
  REQUIRE(calls.size() == 2);
  const auto& sent = calls[1].messages;
  REQUIRE(sent.size() == 4);
  REQUIRE(sent[2].tool_calls.size() == 1);
  CHECK(sent[2].tool_calls[0].id == first->tool_calls[0].id);
  CHECK(sent[2].tool_calls[0].name == "check_availability");
  CHECK(sent[2].tool_calls[0].arguments == R"({"date":"2025-01-02"})");
  CHECK(sent[3].role == "tool");
  CHECK(sent[3].tool_call_id == first->tool_calls[0].id);
  CHECK(sent[3].content == R"({"slots":[]})");
}

TEST_CASE("LlmClient retries a 500 and a 429, then succeeds") {
  FakeLlm fake;
  std::atomic<int> count{0};
  fake.SetScript([&count](const FakeLlmCall&) {
    switch (++count) {
      case 1:
        return FakeLlmReply::HttpError(500);
      case 2:
        return FakeLlmReply::HttpError(429);
      default:
        return FakeLlmReply::Text("third time lucky");
    }
  });
  LlmClient client(OptionsFor(fake.Url()));
  auto completion = client.Complete(Conversation(), kTools);
  REQUIRE(completion.ok());
  CHECK(completion->content == "third time lucky");
  CHECK(fake.Calls().size() == 3);
}

TEST_CASE("LlmClient gives up after max_retries on a persistent 500, the error has no key") {
  FakeLlm fake;
  fake.SetScript([](const FakeLlmCall&) { return FakeLlmReply::HttpError(503); });
  LlmClient client(OptionsFor(fake.Url()));
  auto completion = client.Complete(Conversation(), kTools);
  REQUIRE_FALSE(completion.ok());
  CHECK(completion.error().retryable);
  CHECK(completion.error().message.find("503") != std::string::npos);
  CHECK(completion.error().message.find("sk-test-secret") == std::string::npos);
  CHECK(fake.Calls().size() == 3);
}

TEST_CASE("LlmClient does not retry a 400") {
  FakeLlm fake;
  fake.SetScript([](const FakeLlmCall&) { return FakeLlmReply::HttpError(400); });
  LlmClient client(OptionsFor(fake.Url()));
  auto completion = client.Complete(Conversation(), kTools);
  REQUIRE_FALSE(completion.ok());
  CHECK_FALSE(completion.error().retryable);
  CHECK(fake.Calls().size() == 1);
}

TEST_CASE("LlmClient: an answer slower than the timeout is an error after the retries") {
  FakeLlm fake;
  fake.SetDelay(1000ms);
  auto options = OptionsFor(fake.Url());
  options.timeout = 100ms;
  options.max_retries = 1;
  LlmClient client(options);
  auto completion = client.Complete(Conversation(), kTools);
  REQUIRE_FALSE(completion.ok());
  CHECK(completion.error().retryable);
  CHECK(fake.WaitForCalls(2, 2000ms));
}

TEST_CASE("LlmClient: a 200 that is not a chat completion is an error") {
  using switchboard::HttpRequest;
  using switchboard::HttpResponse;
  namespace http = boost::beast::http;
  std::atomic<int> count{0};
  switchboard::testing::LoopbackServer server(
      [&count](HttpRequest request) -> boost::asio::awaitable<HttpResponse> {
        ++count;
        co_return switchboard::MakeResponse(
            request, http::status::ok, count == 1 ? "<html>gateway</html>" : R"({"choices":[]})",
            "application/json");
      });
  LlmClient client(OptionsFor(server.Url()));
  auto not_json = client.Complete(Conversation(), kTools);
  REQUIRE_FALSE(not_json.ok());
  CHECK_FALSE(not_json.error().retryable);
  auto no_choices = client.Complete(Conversation(), kTools);
  REQUIRE_FALSE(no_choices.ok());
  CHECK(no_choices.error().message.find("no choices") != std::string::npos);
  CHECK(count == 2);
}

TEST_CASE("ParseChatCompletion accepts arguments as an object and reads usage") {
  auto completion = switchboard::agent::ParseChatCompletion(
      R"({"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[)"
      R"({"id":"c1","type":"function","function":{"name":"get_pricing","arguments":{"service":"cut"}}}]}}],)"
      R"("usage":{"prompt_tokens":12,"completion_tokens":3}})");
  REQUIRE(completion.ok());
  REQUIRE(completion->tool_calls.size() == 1);
  CHECK(completion->tool_calls[0].arguments == R"({"service":"cut"})");
  CHECK(completion->prompt_tokens == 12);
  CHECK(completion->completion_tokens == 3);

  // An empty answer is a completion with nothing in it (the agent's guard decides), not a
  // malformed body.
  auto empty = switchboard::agent::ParseChatCompletion(
      R"({"choices":[{"message":{"role":"assistant","content":""}}]})");
  REQUIRE(empty.ok());
  CHECK(empty->content.empty());
  CHECK(empty->tool_calls.empty());
  CHECK_FALSE(switchboard::agent::ParseChatCompletion(R"({"choices":[]})").ok());
}

TEST_CASE("ParseChatCompletion reads the legacy function_call form") {
  auto completion = switchboard::agent::ParseChatCompletion(
      R"({"choices":[{"message":{"role":"assistant","content":null,)"
      R"("function_call":{"name":"get_services","arguments":"{}"}},"finish_reason":"function_call"}]})");
  REQUIRE(completion.ok());
  REQUIRE(completion->tool_calls.size() == 1);
  CHECK(completion->tool_calls[0].name == "get_services");
  CHECK(completion->tool_calls[0].arguments == "{}");
  CHECK_FALSE(completion->tool_calls[0].id.empty());  // the tool message must answer some id
  CHECK(completion->content.empty());
}

TEST_CASE("ChatRequestBody writes what every OpenAI-compatible server accepts") {
  using switchboard::agent::ChatMessage;
  switchboard::agent::LlmOptions options;
  options.model = "m";
  options.max_tokens = 300;
  options.temperature = 0.5;
  const std::vector<ChatMessage> messages = {
      {"user", "Price?", "", {}},
      {"assistant", "", "", {{"call_1", "get_pricing", R"({"service":"Cleaning"})"}}},
      {"tool", R"({"price":"90 EUR"})", "call_1", {}}};
  const std::string body =
      switchboard::agent::ChatRequestBody(options, messages,
                                          R"([{"type":"function","function":{"name":"get_pricing",)"
                                          R"("parameters":{"type":"object"}}}])");
  rapidjson::Document json;
  json.Parse(body.c_str());
  REQUIRE(json.IsObject());
  CHECK(switchboard::testing::ChatRequestProblem(json) == "");
  CHECK(json["max_tokens"].GetInt() == 300);
  CHECK(json["temperature"].GetDouble() == doctest::Approx(0.5));
  const auto& assistant = json["messages"][1];
  REQUIRE(assistant["content"].IsString());  // never null
  CHECK(std::string(assistant["content"].GetString()).empty());
  CHECK(std::string(assistant["tool_calls"][0]["function"]["arguments"].GetString()) ==
        R"({"service":"Cleaning"})");
  CHECK(std::string(json["messages"][2]["role"].GetString()) == "tool");
  CHECK(std::string(json["messages"][2]["tool_call_id"].GetString()) == "call_1");
  CHECK(std::string(json["tool_choice"].GetString()) == "auto");
  CHECK_THROWS_AS(switchboard::agent::ChatRequestBody(options, messages, "{}"),
                  std::invalid_argument);
}

}  // namespace
