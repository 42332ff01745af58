#include "workers/sender/graph_client.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "tests/support/silent_server.hpp"

namespace switchboard::sender {
namespace {

const GraphConfig kConfig{.base_url = "http://127.0.0.1:9",
                          .version = "v21.0",
                          .timeout = std::chrono::milliseconds(1234)};

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str());
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

std::string HeaderOf(const HttpClientRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

HttpClientResponse Answer(int status, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  return HttpClientResponse{.status = status, .body = std::move(body), .headers = headers};
}

std::string GraphError(int code, const std::string& message = "boom") {
  return R"({"error":{"message":")" + message + R"(","type":"OAuthException","code":)" +
         std::to_string(code) + R"(,"fbtrace_id":"AbC123"}})";
}

TEST_CASE("a WhatsApp send posts to /{version}/{phone_number_id}/messages with the token") {
  const OutgoingText message{.channel = "whatsapp",
                             .channel_account_id = "106540352242922",
                             .recipient_id = "16505551234",
                             .text = "Hallo \"Jürgen\"\n",
                             .reply_to_platform_message_id = ""};
  const HttpClientRequest request = BuildSendRequest(kConfig, message, "tok-123");
  CHECK(request.method == "POST");
  CHECK(request.url == "http://127.0.0.1:9/v21.0/106540352242922/messages");
  CHECK(HeaderOf(request, "Authorization") == "Bearer tok-123");
  CHECK(HeaderOf(request, "Content-Type") == "application/json");
  CHECK(request.timeout == std::chrono::milliseconds(1234));
  const auto body = Json(request.body);
  CHECK(std::string(body["messaging_product"].GetString()) == "whatsapp");
  CHECK(std::string(body["recipient_type"].GetString()) == "individual");
  CHECK(std::string(body["to"].GetString()) == "16505551234");
  CHECK(std::string(body["type"].GetString()) == "text");
  CHECK(body["text"]["preview_url"].IsFalse());
  CHECK(std::string(body["text"]["body"].GetString()) == "Hallo \"Jürgen\"\n");
  CHECK_FALSE(body.HasMember("context"));
}

TEST_CASE("a WhatsApp reply to a customer message carries context.message_id") {
  const OutgoingText message{.channel = "whatsapp",
                             .channel_account_id = "1065",
                             .recipient_id = "16505551234",
                             .text = "Sure",
                             .reply_to_platform_message_id = "wamid.abc"};
  const auto body = Json(BuildSendRequest(kConfig, message, "t").body);
  CHECK(std::string(body["context"]["message_id"].GetString()) == "wamid.abc");
}

TEST_CASE("Messenger and Instagram sends post to /{version}/me/messages as RESPONSE") {
  for (const char* channel : {"messenger", "instagram"}) {
    CAPTURE(channel);
    const OutgoingText message{.channel = channel,
                               .channel_account_id = "PAGE1",
                               .recipient_id = "PSID-7",
                               .text = "Hi there",
                               .reply_to_platform_message_id = "m_ignored"};
    const HttpClientRequest request = BuildSendRequest(kConfig, message, "page-token");
    CHECK(request.url == "http://127.0.0.1:9/v21.0/me/messages");
    CHECK(HeaderOf(request, "Authorization") == "Bearer page-token");
    const auto body = Json(request.body);
    CHECK(std::string(body["recipient"]["id"].GetString()) == "PSID-7");
    CHECK(std::string(body["messaging_type"].GetString()) == "RESPONSE");
    CHECK(std::string(body["message"]["text"].GetString()) == "Hi there");
    CHECK_FALSE(body.HasMember("messaging_product"));
  }
}

TEST_CASE("another channel is refused") {
  const OutgoingText message{.channel = "voice",
                             .channel_account_id = "x",
                             .recipient_id = "y",
                             .text = "z",
                             .reply_to_platform_message_id = ""};
  CHECK_THROWS_AS(BuildSendRequest(kConfig, message, "t"), std::invalid_argument);
}

TEST_CASE("a 2xx answer gives the platform message id of the channel") {
  const auto whatsapp = ClassifySendResponse(
      "whatsapp", Answer(200, R"({"messaging_product":"whatsapp","contacts":[{"input":"1",)"
                              R"("wa_id":"1"}],"messages":[{"id":"wamid.HBg123"}]})"));
  CHECK(whatsapp.verdict == SendVerdict::kSent);
  CHECK(whatsapp.platform_message_id == "wamid.HBg123");

  const auto messenger =
      ClassifySendResponse("messenger", Answer(200, R"({"recipient_id":"7","message_id":"m_9"})"));
  CHECK(messenger.verdict == SendVerdict::kSent);
  CHECK(messenger.platform_message_id == "m_9");

  const auto empty = ClassifySendResponse("whatsapp", Answer(200, "not json"));
  CHECK(empty.verdict == SendVerdict::kSent);
  CHECK(empty.platform_message_id.empty());
}

TEST_CASE("Graph error codes decide before the HTTP status") {
  struct Case {
    int status;
    int code;
    SendVerdict verdict;
    std::string reason;
  };
  const Case cases[] = {
      {400, 130429, SendVerdict::kTransient, "graph_error_130429"},  // throughput
      {400, 131056, SendVerdict::kTransient, "graph_error_131056"},  // pair rate limit
      {400, 4, SendVerdict::kTransient, "graph_error_4"},            // app rate limit
      {400, 80007, SendVerdict::kTransient, "graph_error_80007"},    // account rate limit
      {500, 131000, SendVerdict::kTransient, "graph_error_131000"},  // something went wrong
      {503, 131016, SendVerdict::kTransient, "graph_error_131016"},  // service unavailable
      {400, 2, SendVerdict::kTransient, "graph_error_2"},            // temporary downtime
      {400, 613, SendVerdict::kTransient, "graph_error_613"},        // Send API rate limit
      {400, 131047, SendVerdict::kPermanent, "outside_24h_window"},
      {400, 131026, SendVerdict::kPermanent, "graph_error_131026"},  // undeliverable
      {401, 190, SendVerdict::kPermanent, "graph_error_190"},        // token expired
      {400, 100, SendVerdict::kPermanent, "graph_error_100"},        // invalid parameter
      {500, 1, SendVerdict::kTransient, "http_500"},                 // unknown error, server side
      {429, 17, SendVerdict::kTransient, "http_429"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.code);
    const auto result = ClassifySendResponse("whatsapp", Answer(c.status, GraphError(c.code)));
    CHECK(result.verdict == c.verdict);
    CHECK(result.reason == c.reason);
    REQUIRE(result.error_code);
    CHECK(*result.error_code == c.code);
    CHECK(result.http_status == c.status);
    CHECK(result.detail == "boom");
    CHECK(result.fbtrace_id == "AbC123");
  }
}

TEST_CASE("without a Graph error body the HTTP status decides") {
  CHECK(ClassifySendResponse("whatsapp", Answer(429, "")).verdict == SendVerdict::kTransient);
  CHECK(ClassifySendResponse("whatsapp", Answer(502, "<html>")).verdict == SendVerdict::kTransient);
  CHECK(ClassifySendResponse("whatsapp", Answer(408, "")).verdict == SendVerdict::kTransient);
  const auto not_found = ClassifySendResponse("messenger", Answer(404, "nope"));
  CHECK(not_found.verdict == SendVerdict::kPermanent);
  CHECK(not_found.reason == "http_404");
  CHECK_FALSE(not_found.error_code);
}

TEST_CASE("Retry-After is kept as a hint on a refusal") {
  const auto limited =
      ClassifySendResponse("whatsapp", Answer(429, GraphError(130429), {{"Retry-After", "7"}}));
  CHECK(limited.verdict == SendVerdict::kTransient);
  REQUIRE(limited.retry_after);
  CHECK(limited.retry_after->count() == 7);
  CHECK_FALSE(ClassifySendResponse("whatsapp", Answer(429, GraphError(130429))).retry_after);
}

TEST_CASE("the error JSON names the reason, code, status and message") {
  const auto failed =
      ClassifySendResponse("whatsapp", Answer(400, GraphError(131047, "Re-engagement message")));
  const auto json = Json(failed.ErrorJson());
  CHECK(std::string(json["reason"].GetString()) == "outside_24h_window");
  CHECK(json["code"].GetInt() == 131047);
  CHECK(json["http_status"].GetInt() == 400);
  CHECK(std::string(json["message"].GetString()) == "Re-engagement message");
  CHECK(std::string(json["fbtrace_id"].GetString()) == "AbC123");
}

TEST_CASE("the written flag of a transport failure decides transient or unknown, not the text") {
  struct Case {
    HttpPhase phase;
    bool retryable;
    bool timed_out;
    bool written;
    SendVerdict verdict;
    std::string reason;
  };
  const Case cases[] = {
      {HttpPhase::kRequest, false, false, false, SendVerdict::kTransient, "not_connected"},
      {HttpPhase::kResolve, true, false, false, SendVerdict::kTransient, "not_connected"},
      {HttpPhase::kConnect, true, false, false, SendVerdict::kTransient, "not_connected"},
      {HttpPhase::kConnect, true, true, false, SendVerdict::kTransient, "not_connected"},
      {HttpPhase::kTlsHandshake, false, false, false, SendVerdict::kTransient, "not_connected"},
      {HttpPhase::kWrite, true, false, false, SendVerdict::kTransient, "not_connected"},
      {HttpPhase::kWrite, true, false, true, SendVerdict::kUnknown, "outcome_unknown"},
      {HttpPhase::kWrite, true, true, true, SendVerdict::kUnknown, "outcome_unknown"},
      {HttpPhase::kRead, true, false, true, SendVerdict::kUnknown, "outcome_unknown"},
      {HttpPhase::kRead, true, true, true, SendVerdict::kUnknown, "outcome_unknown"},
      {HttpPhase::kRead, false, false, true, SendVerdict::kUnknown, "outcome_unknown"},
      // A reconnect that failed to connect after an earlier attempt wrote: still unknown.
      {HttpPhase::kConnect, true, false, true, SendVerdict::kUnknown, "outcome_unknown"},
  };
  for (const Case& c : cases) {
    CAPTURE(PhaseName(c.phase));
    CAPTURE(c.written);
    // The message says the opposite of the flags: only the typed members may decide.
    const std::string message = c.written ? "POST http://127.0.0.1:9/x: connect: refused"
                                          : "POST http://127.0.0.1:9/x: read: timed out";
    const auto result =
        ClassifyTransportError(HttpError{{message, c.retryable}, c.phase, c.timed_out, c.written});
    CHECK(result.verdict == c.verdict);
    CHECK(result.reason == c.reason);
    CHECK(result.http_status == 0);
    CHECK(result.detail == message);
  }
}

const OutgoingText kHello{.channel = "whatsapp",
                          .channel_account_id = "1",
                          .recipient_id = "2",
                          .text = "hi",
                          .reply_to_platform_message_id = ""};

GraphClient ClientOf(const std::string& base_url, std::chrono::milliseconds timeout) {
  return GraphClient(GraphConfig{.base_url = base_url, .version = "v21.0", .timeout = timeout});
}

TEST_CASE("GraphClient classifies a refused connection as transient") {
  // Nothing listens on loopback port 1, so the request is refused before anything is written.
  const auto result =
      ClientOf("http://127.0.0.1:1", std::chrono::milliseconds(2000)).SendText(kHello, "t");
  CHECK(result.verdict == SendVerdict::kTransient);
  CHECK(result.reason == "not_connected");
}

TEST_CASE("GraphClient: a platform that hangs up after reading the send leaves it unknown") {
  testing::SilentServer server(testing::SilentServer::Then::kHangUp);
  const auto result = ClientOf(server.Url(), std::chrono::milliseconds(5000)).SendText(kHello, "t");
  CHECK(server.RequestsRead() == 1);  // read once, never sent again
  CHECK(result.verdict == SendVerdict::kUnknown);
  CHECK(result.reason == "outcome_unknown");
}

TEST_CASE("GraphClient: a timeout waiting for the platform's answer leaves the send unknown") {
  testing::SilentServer server(testing::SilentServer::Then::kStaySilent);
  const auto result = ClientOf(server.Url(), std::chrono::milliseconds(300)).SendText(kHello, "t");
  CHECK(server.WaitForRequests(1, std::chrono::seconds(5)));
  CHECK(result.verdict == SendVerdict::kUnknown);
  CHECK(result.reason == "outcome_unknown");
}

}  // namespace
}  // namespace switchboard::sender
