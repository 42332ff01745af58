#include <doctest/doctest.h>
#include <prometheus/registry.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "common/json.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/tools_results.hpp"
#include "common/topics/voice_events.hpp"
#include "common/topics/webhooks_raw.hpp"
#include "ingest/vapi_routes.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::ingest;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

constexpr char kSecret[] = "vapi-test-secret";

VoiceIntegration DemoIntegration() {
  VoiceIntegration integration;
  integration.business_id = "b51e5a11-de70-4000-8000-000000000001";
  integration.phone_number_id = "pn-demo";
  integration.assistant_id = "asst-demo";
  integration.first_message = "Bright Smile Dental, how can I help?";
  integration.voice_json = R"({"provider":"11labs","voiceId":"sarah"})";
  integration.business_name = "Bright Smile Dental";
  integration.timezone = "Europe/Berlin";
  integration.language = "de";
  integration.hours[1] = {{"08:00", "12:00"}, {"13:00", "18:00"}};
  integration.services = {{.id = "",
                           .name = "Cleaning",
                           .duration = std::chrono::minutes(30),
                           .price_cents = 8000,
                           .currency = "EUR",
                           .description = ""}};
  integration.monthly_voice_seconds_limit = 3600;
  integration.voice_seconds_this_month = 120;
  return integration;
}

/// What the fake tools stage does with a request it sees.
enum class Tools { kAnswerReversed, kSilent, kFailOne };

/// VapiRoutes with an in-memory broker that acknowledges everything and a fake tools stage that
/// answers the tools.requests records it sees through the waiters, as the listener would.
struct VapiUnderTest {
  explicit VapiUnderTest(Tools tools = Tools::kAnswerReversed,
                         milliseconds deadline = milliseconds(300))
      : registry(std::make_shared<prometheus::Registry>()),
        routes(
            {.auth = {.secrets = {"old", kSecret}},
             .assistant = {.tool_server_url = "https://sb.example/webhooks/vapi"},
             .tool_deadline = deadline,
             .instance_id = "ingest-a"},
            directory, waiters,
            [this](const std::vector<OutboundRecord>& records) -> boost::asio::awaitable<bool> {
              for (const OutboundRecord& record : records) produced.push_back(record);
              Answer(records);
              co_return true;
            },
            *registry),
        tools(tools) {
    std::vector<VoiceIntegration> integrations{DemoIntegration()};
    directory.Replace(std::move(integrations));
  }

  void Answer(const std::vector<OutboundRecord>& records) {
    if (tools == Tools::kSilent) return;
    std::vector<topics::ToolCallResult> results;
    for (const OutboundRecord& record : records) {
      if (record.topic != topics::ToolsRequests::kTopic) continue;
      auto request = topics::ToolsRequests::Decode({.topic = record.topic,
                                                    .key = record.key,
                                                    .value = record.value,
                                                    .headers = record.headers});
      REQUIRE(request.ok());
      const bool fail = tools == Tools::kFailOne && request->tool == "book_appointment";
      results.push_back({.event_id = "r-" + request->tool_call_id,
                         .tool_call_id = request->tool_call_id,
                         .call_id = request->call_id,
                         .business_id = request->business_id,
                         .tool = request->tool,
                         .correlation_id = request->correlation_id,
                         .reply_to = request->reply_to,
                         .text = fail ? "That time is taken." : "answer of " + request->tool,
                         .failed = fail,
                         .completed_at = "2026-01-01T00:00:00.000Z"});
    }
    // Out of order, as two partitions or a slower tool would bring them.
    for (auto result = results.rbegin(); result != results.rend(); ++result) {
      CHECK(waiters.Deliver(*result) == ToolCallWaiters::Delivery::kDelivered);
    }
  }

  HttpResponse Post(const std::string& body, std::optional<std::string> secret = kSecret) {
    HttpRequest request{http::verb::post, "/webhooks/vapi", 11};
    request.body() = body;
    if (secret) request.set("x-vapi-secret", *secret);
    io.restart();
    auto result = boost::asio::co_spawn(io, routes.Handle(request), boost::asio::use_future);
    io.run();
    return result.get();
  }

  std::vector<std::string> Topics() const {
    std::vector<std::string> names;
    for (const auto& record : produced) names.push_back(record.topic);
    return names;
  }

  boost::asio::io_context io;
  std::shared_ptr<prometheus::Registry> registry;
  VoiceDirectory directory;
  ToolCallWaiters waiters;
  std::vector<OutboundRecord> produced;
  VapiRoutes routes;
  Tools tools;
};

std::string ToolCalls(std::string_view phone_number_id = "pn-demo") {
  return R"({"message":{"type":"tool-calls","call":{"id":"call-1","phoneNumberId":")" +
         std::string(phone_number_id) + R"(","customer":{"number":"+4915112345678"}},
    "toolCallList":[
      {"id":"tc-1","type":"function","function":{"name":"get_services","arguments":"{}"}},
      {"id":"tc-2","name":"check_availability","arguments":{"date":"2026-01-05"}},
      {"id":"tc-3","name":"book_appointment","parameters":{"service":"Cleaning"}}]}})";
}

rapidjson::Document Json(const HttpResponse& response) {
  auto document = json::Parse(response.body());
  REQUIRE_MESSAGE(document.ok(), response.body());
  return std::move(document).value();
}

}  // namespace

TEST_CASE("vapi route: a request without the right secret is 401 and produces nothing") {
  VapiUnderTest t;
  CHECK(t.Post(ToolCalls(), std::nullopt).result() == http::status::unauthorized);
  CHECK(t.Post(ToolCalls(), "wrong").result() == http::status::unauthorized);
  CHECK(t.Post(ToolCalls(), "").result() == http::status::unauthorized);
  CHECK(t.produced.empty());
  CHECK(t.waiters.Waiting() == 0);
  // The rotated-out secret still works.
  CHECK(t.Post(ToolCalls(), "old").result() == http::status::ok);
}

TEST_CASE("vapi route: tool calls go to tools.requests and are answered in call order") {
  VapiUnderTest t;
  const HttpResponse response = t.Post(ToolCalls());
  REQUIRE(response.result() == http::status::ok);
  CHECK(response[http::field::content_type] == "application/json");
  CHECK(response.body() == R"({"results":[{"toolCallId":"tc-1","result":"answer of get_services"},)"
                           R"({"toolCallId":"tc-2","result":"answer of check_availability"},)"
                           R"({"toolCallId":"tc-3","result":"answer of book_appointment"}]})");
  CHECK(t.Topics() == std::vector<std::string>{"webhooks.raw", "tools.requests", "tools.requests",
                                               "tools.requests"});
  auto request = topics::ToolsRequests::Decode({.topic = t.produced[2].topic,
                                                .key = t.produced[2].key,
                                                .value = t.produced[2].value,
                                                .headers = t.produced[2].headers});
  REQUIRE(request.ok());
  CHECK(t.produced[2].key == "call-1");
  CHECK(request->event_id == topics::ToolsRequests::EventId("tc-2"));
  CHECK(request->business_id == DemoIntegration().business_id);
  CHECK(request->caller == "+4915112345678");
  CHECK(request->arguments_json == R"({"date":"2026-01-05"})");
  CHECK(request->reply_to == "ingest-a");
  CHECK(t.waiters.Waiting() == 0);
}

TEST_CASE("vapi route: a failed tool is answered with error, not result") {
  VapiUnderTest t(Tools::kFailOne);
  const auto answer = Json(t.Post(ToolCalls()));
  const auto& results = answer["results"];
  REQUIRE(results.Size() == 3);
  CHECK(json::String(results[0], "result") == "answer of get_services");
  CHECK(json::String(results[2], "error") == "That time is taken.");
  CHECK_FALSE(results[2].HasMember("result"));
}

TEST_CASE("vapi route: results missing at the deadline get an apology, in time, late ones drop") {
  VapiUnderTest t(Tools::kSilent, milliseconds(200));
  const auto started = std::chrono::steady_clock::now();
  const auto answer = Json(t.Post(ToolCalls()));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= milliseconds(200));
  CHECK(took < milliseconds(1500));
  const auto& results = answer["results"];
  REQUIRE(results.Size() == 3);
  for (const auto& result : results.GetArray()) {
    CHECK(json::String(result, "result") == std::string(kToolTimeoutMessage));
  }
  CHECK(json::String(results[1], "toolCallId") == "tc-2");
  // The result that comes after the answer has no one waiting for it.
  CHECK(t.waiters.Waiting() == 0);
  CHECK(t.waiters.Deliver({.tool_call_id = "tc-1", .correlation_id = "whatever"}) ==
        ToolCallWaiters::Delivery::kUnknown);
}

TEST_CASE("vapi route: a call that cannot run is answered with its problem and not produced") {
  VapiUnderTest t;
  const auto answer = Json(t.Post(R"({"message":{"type":"tool-calls",
    "call":{"id":"call-2","phoneNumberId":"pn-demo"},
    "toolCallList":[{"id":"tc-9","name":"get_pricing","arguments":"not json"},
                    {"id":"tc-10","name":"get_pricing"}]}})"));
  const auto& results = answer["results"];
  REQUIRE(results.Size() == 2);
  CHECK(json::String(results[0], "error") == "arguments are not a JSON object");
  CHECK(json::String(results[1], "result") == "answer of get_pricing");
  CHECK(t.Topics() == std::vector<std::string>{"webhooks.raw", "tools.requests"});
}

TEST_CASE("vapi route: the legacy function-call is answered with one result") {
  VapiUnderTest t;
  const HttpResponse response = t.Post(R"({"message":{"type":"function-call",
    "call":{"id":"call-3","phoneNumberId":"pn-demo"},
    "functionCall":{"name":"get_services","parameters":{}}}})");
  CHECK(response.body() == R"({"result":"answer of get_services"})");
}

TEST_CASE("vapi route: an unknown number keeps the body, says so, and runs no tool") {
  VapiUnderTest t;
  const auto tools = Json(t.Post(ToolCalls("pn-unknown")));
  CHECK(json::String(tools["results"][0], "error") == std::string(kUnknownNumberMessage));
  CHECK(t.Topics() == std::vector<std::string>{"webhooks.raw"});

  const HttpResponse assistant = t.Post(R"({"message":{"type":"assistant-request",
    "call":{"id":"call-4","phoneNumberId":"pn-unknown"}}})");
  CHECK(assistant.result() == http::status::ok);
  CHECK(assistant.body() == SpokenErrorAnswer(kUnknownNumberMessage));
  CHECK(t.Topics().size() == 2);
  CHECK(t.Topics().back() == "webhooks.raw");
}

TEST_CASE("vapi route: assistant-request answers the tenant's assistant with our tool server") {
  VapiUnderTest t;
  const auto answer = Json(t.Post(R"({"message":{"type":"assistant-request",
    "call":{"id":"call-5","phoneNumberId":"pn-demo","customer":{"number":"+4915112345678"}}}})"));
  const auto& assistant = answer["assistant"];
  CHECK(json::String(assistant, "firstMessage") == "Bright Smile Dental, how can I help?");
  CHECK(json::String(assistant["voice"], "voiceId") == "sarah");
  CHECK(json::String(assistant["metadata"], "business_id") == DemoIntegration().business_id);
  const auto& model = assistant["model"];
  const std::string prompt = *json::String(model["messages"][0], "content");
  CHECK(prompt.find("Bright Smile Dental") != std::string::npos);
  CHECK(prompt.find("- Monday: 08:00-12:00, 13:00-18:00") != std::string::npos);
  CHECK(prompt.find("- Cleaning: 30 min, 80.00 EUR") != std::string::npos);
  CHECK(prompt.find("Speak German") != std::string::npos);
  CHECK(prompt.find("no lists, markdown") != std::string::npos);
  CHECK(prompt.find("(Europe/Berlin)") != std::string::npos);
  const auto& tools = model["tools"];
  REQUIRE(tools.Size() == 8);
  for (const auto& tool : tools.GetArray()) {
    CHECK(json::String(tool["server"], "url") == "https://sb.example/webhooks/vapi");
    CHECK(tool["function"]["parameters"].IsObject());
  }
  CHECK(json::String(tools[0]["function"], "name") == "check_availability");
  CHECK(t.Topics() == std::vector<std::string>{"webhooks.raw"});
}

TEST_CASE("vapi route: assistant-request past the monthly voice limit is a spoken refusal") {
  VapiUnderTest t;
  VoiceIntegration spent = DemoIntegration();
  spent.voice_seconds_this_month = spent.monthly_voice_seconds_limit;
  t.directory.Replace({spent});
  CHECK(t.Post(R"({"message":{"type":"assistant-request","call":{"phoneNumberId":"pn-demo"}}})")
            .body() == SpokenErrorAnswer(kVoiceLimitMessage));
  spent.limit_message = "We are fully booked on the phone this month.";
  t.directory.Replace({spent});
  CHECK(t.Post(R"({"message":{"type":"assistant-request","call":{"phoneNumberId":"pn-demo"}}})")
            .body() == SpokenErrorAnswer("We are fully booked on the phone this month."));
}

TEST_CASE("vapi route: an end-of-call report goes to voice.events with the message as sent") {
  VapiUnderTest t;
  const std::string body = R"({"message":{"type":"end-of-call-report","endedReason":"hangup",
    "call":{"id":"call-6","phoneNumberId":"pn-demo","customer":{"number":"+4915112345678"}},
    "artifact":{"transcript":"AI: Hello"}}})";
  const HttpResponse response = t.Post(body);
  CHECK(response.result() == http::status::ok);
  REQUIRE(t.Topics() == std::vector<std::string>{"webhooks.raw", "voice.events"});
  auto event = topics::VoiceEvents::Decode({.topic = t.produced[1].topic,
                                            .key = t.produced[1].key,
                                            .value = t.produced[1].value,
                                            .headers = t.produced[1].headers});
  REQUIRE(event.ok());
  CHECK(event->event_id == "vapi:call-6:end-of-call-report");
  CHECK(event->business_id == DemoIntegration().business_id);
  CHECK(event->caller == "+4915112345678");
  CHECK(event->phone_number_id == "pn-demo");
  CHECK(event->report_json.find(R"("endedReason":"hangup")") != std::string::npos);
  CHECK(t.produced[1].key == "+4915112345678");
}

TEST_CASE("vapi route: informational, unknown and unreadable messages are 200 and kept") {
  VapiUnderTest t;
  for (const char* type : {"status-update", "transcript", "speech-update", "hang",
                           "conversation-update", "a-type-from-next-year"}) {
    const HttpResponse response = t.Post(std::string(R"({"message":{"type":")") + type +
                                         R"(","call":{"id":"c","phoneNumberId":"pn-demo"}}})");
    CHECK(response.result() == http::status::ok);
  }
  CHECK(t.Topics() == std::vector<std::string>(6, "webhooks.raw"));
  t.produced.clear();
  CHECK(t.Post("{not json").result() == http::status::ok);
  CHECK(t.Topics() == std::vector<std::string>{"webhooks.raw", "webhooks.raw.dlq"});
  auto raw = topics::WebhooksRaw::Decode({.topic = t.produced[0].topic,
                                          .key = t.produced[0].key,
                                          .value = t.produced[0].value,
                                          .headers = t.produced[0].headers});
  REQUIRE(raw.ok());
  CHECK(raw->source == "vapi");
  CHECK(raw->body == "{not json");
}

TEST_CASE("vapi route: only POST") {
  VapiUnderTest t;
  HttpRequest request{http::verb::get, "/webhooks/vapi", 11};
  auto result = boost::asio::co_spawn(t.io, t.routes.Handle(request), boost::asio::use_future);
  t.io.run();
  CHECK(result.get().result() == http::status::method_not_allowed);
}
