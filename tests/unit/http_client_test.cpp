#include "common/http_client.hpp"

#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/loopback_server.hpp"
#include "tests/support/silent_server.hpp"

namespace {

using namespace switchboard;
using switchboard::testing::LoopbackServer;
using switchboard::testing::SilentServer;
namespace asio = boost::asio;
namespace http = boost::beast::http;

/// Echoes what it received; /status/N answers N; /slow never answers within a test's patience.
asio::awaitable<HttpResponse> EchoHandler(HttpRequest request) {
  const std::string target(request.target());
  if (target == "/slow") {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(30));
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (target.rfind("/status/", 0) == 0) {
    HttpResponse response = MakeResponse(
        request, static_cast<http::status>(std::stoi(target.substr(8))), "status body");
    response.set(http::field::retry_after, "7");
    co_return response;
  }
  std::string echo = std::string(request.method_string()) + " " + target + "\n";
  if (const auto it = request.find("X-Test"); it != request.end()) {
    echo += "x-test=" + std::string(it->value()) + "\n";
  }
  echo += "host=" + std::string(request[http::field::host]) + "\n";
  echo += "body=" + request.body();
  HttpResponse response = MakeResponse(request, http::status::ok, echo);
  response.set("X-Answer", "yes");
  co_return response;
}

unsigned short UnusedPort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();  // closed on return: nobody listens there
}

TEST_CASE("HttpFetch GETs and POSTs with headers, body and status") {
  LoopbackServer server(EchoHandler);

  auto get = HttpFetch({.method = "GET", .url = server.Url() + "/hello?x=1"});
  REQUIRE(get.ok());
  CHECK(get->status == 200);
  CHECK(get->body.find("GET /hello?x=1\n") == 0);
  CHECK(get->body.find("host=127.0.0.1:" + std::to_string(server.Port())) != std::string::npos);
  CHECK(get->Header("x-answer") == "yes");
  CHECK(get->Header("X-ANSWER") == "yes");
  CHECK_FALSE(get->Header("missing").has_value());

  auto post = HttpFetch({.method = "POST",
                         .url = server.Url() + "/send",
                         .headers = {{"X-Test", "abc"}, {"Content-Type", "application/json"}},
                         .body = R"({"a":1})"});
  REQUIRE(post.ok());
  CHECK(post->body == "POST /send\nx-test=abc\nhost=127.0.0.1:" + std::to_string(server.Port()) +
                          "\nbody={\"a\":1}");

  auto status = HttpFetch({.url = server.Url() + "/status/503"});
  REQUIRE(status.ok());
  CHECK(status->status == 503);
  CHECK(status->body == "status body");
  CHECK(RetryAfter(*status) == std::chrono::seconds(7));

  // Many calls in a row on this thread reuse its keep-alive connection and still all succeed.
  for (int i = 0; i < 20; ++i) {
    auto again = HttpFetch({.url = server.Url() + "/n" + std::to_string(i)});
    REQUIRE(again.ok());
    CHECK(again->body.find("GET /n" + std::to_string(i)) == 0);
  }
}

TEST_CASE("HttpFetch reconnects when the server closed the kept-alive connection") {
  unsigned short port = 0;
  {
    LoopbackServer first(EchoHandler);
    port = first.Port();
    REQUIRE(HttpFetch({.url = first.Url() + "/one"}).ok());
  }  // the server and its connections are gone; this thread still holds the idle connection
  LoopbackServer second(EchoHandler, port);
  auto answer = HttpFetch({.method = "POST", .url = second.Url() + "/two", .body = "x"});
  REQUIRE_MESSAGE(answer.ok(), (answer.ok() ? "" : answer.error().message));
  CHECK(answer->body.find("POST /two") == 0);
}

TEST_CASE("HttpFetch: a server that never answers is a retryable timeout after the write") {
  LoopbackServer server(EchoHandler);
  const auto start = std::chrono::steady_clock::now();
  auto answer =
      HttpFetch({.url = server.Url() + "/slow", .timeout = std::chrono::milliseconds(200)});
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().phase == HttpPhase::kRead);
  CHECK(answer.error().timed_out);
  CHECK(answer.error().request_written);
  CHECK(answer.error().retryable);
  CHECK(answer.error().message.find("timed out") != std::string::npos);
  CHECK(waited < std::chrono::seconds(10));  // the deadline held, not the server's 30 s
}

TEST_CASE("HttpFetch: a POST that was read but never answered times out as written") {
  SilentServer server(SilentServer::Then::kStaySilent);
  auto answer = HttpFetch({.method = "POST",
                           .url = server.Url() + "/send",
                           .body = R"({"text":"hi"})",
                           .timeout = std::chrono::milliseconds(300)});
  REQUIRE_FALSE(answer.ok());
  CHECK(server.WaitForRequests(1, std::chrono::seconds(5)));
  CHECK(answer.error().phase == HttpPhase::kRead);
  CHECK(answer.error().timed_out);
  CHECK(answer.error().request_written);
  CHECK(answer.error().retryable);
}

TEST_CASE("HttpFetch: connection refused is a retryable connect failure before the write") {
  auto answer = HttpFetch({.method = "POST",
                           .url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/x",
                           .body = "x",
                           .timeout = std::chrono::milliseconds(2000)});
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().phase == HttpPhase::kConnect);
  CHECK_FALSE(answer.error().request_written);
  CHECK_FALSE(answer.error().timed_out);
  CHECK(answer.error().retryable);
  CHECK(answer.error().message.find(": connect: ") != std::string::npos);
}

TEST_CASE("HttpFetch: a server that hangs up after reading the request fails in read, written") {
  SilentServer server(SilentServer::Then::kHangUp);
  auto answer = HttpFetch({.method = "POST",
                           .url = server.Url() + "/send",
                           .body = R"({"text":"hi"})",
                           .timeout = std::chrono::milliseconds(5000)});
  REQUIRE_FALSE(answer.ok());
  CHECK(server.RequestsRead() == 1);
  CHECK(answer.error().phase == HttpPhase::kRead);
  CHECK(answer.error().request_written);
  CHECK_FALSE(answer.error().timed_out);
  CHECK(answer.error().retryable);
}

TEST_CASE("HttpFetch: on a reused connection, only an idempotent written request is resent") {
  struct Case {
    const char* method;
    std::size_t requests_read;  // the answered one, then the failed ones
  };
  for (const Case& c : {Case{"GET", 3}, Case{"PUT", 3}, Case{"POST", 2}, Case{"PATCH", 2}}) {
    CAPTURE(c.method);
    // The first request is answered and leaves an idle keep-alive connection on this thread;
    // the server hangs up on every later one after reading it.
    SilentServer server(SilentServer::Then::kHangUp, 1);
    REQUIRE(HttpFetch({.url = server.Url() + "/warm"}).ok());
    auto answer = HttpFetch({.method = c.method,
                             .url = server.Url() + "/again",
                             .body = "x",
                             .timeout = std::chrono::milliseconds(5000)});
    REQUIRE_FALSE(answer.ok());
    CHECK(server.RequestsRead() == c.requests_read);
    CHECK(answer.error().phase == HttpPhase::kRead);
    CHECK(answer.error().request_written);
  }
}

TEST_CASE("HttpFetch: error messages leave out the query, which may hold a token") {
  auto answer = HttpFetch(
      {.url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/x?access_token=SECRET"});
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().message.find("SECRET") == std::string::npos);
}

TEST_CASE("HttpFetch: bad URLs and requests are errors that are not retryable") {
  for (const char* url :
       {"", "127.0.0.1:80/x", "ftp://host/x", "http://", "http:///path", "http://host:0/",
        "http://host:65536/", "http://host:12a/", "http://user:pw@host/", "http://ho st/",
        "http://[::1/", "http://host:/x"}) {
    CAPTURE(url);
    auto answer = HttpFetch({.url = url});
    REQUIRE_FALSE(answer.ok());
    CHECK_FALSE(answer.error().retryable);
    CHECK(answer.error().phase == HttpPhase::kRequest);
    CHECK_FALSE(answer.error().request_written);
  }
  auto bad_header = HttpFetch({.url = "http://127.0.0.1:1/", .headers = {{"X", "a\r\nB: c"}}});
  REQUIRE_FALSE(bad_header.ok());
  CHECK_FALSE(bad_header.error().retryable);
  CHECK(bad_header.error().phase == HttpPhase::kRequest);
  auto bad_timeout =
      HttpFetch({.url = "http://127.0.0.1:1/", .timeout = std::chrono::milliseconds(0)});
  REQUIRE_FALSE(bad_timeout.ok());
  CHECK_FALSE(bad_timeout.error().retryable);
  CHECK(bad_timeout.error().phase == HttpPhase::kRequest);
  auto bad_method = HttpFetch({.method = "get", .url = "http://127.0.0.1:1/"});
  REQUIRE_FALSE(bad_method.ok());
  CHECK(bad_method.error().phase == HttpPhase::kRequest);
}

TEST_CASE("ParseUrl splits scheme, host, port and target") {
  auto a = ParseUrl("https://graph.facebook.com/v21.0/123/messages?x=1#frag");
  REQUIRE(a.ok());
  CHECK(a->scheme == "https");
  CHECK(a->host == "graph.facebook.com");
  CHECK(a->port == 443);
  CHECK(a->target == "/v21.0/123/messages?x=1");

  auto b = ParseUrl("HTTP://LocalHost:8080");
  REQUIRE(b.ok());
  CHECK(b->scheme == "http");
  CHECK(b->host == "localhost");
  CHECK(b->port == 8080);
  CHECK(b->target == "/");

  auto c = ParseUrl("http://10.0.0.1?q=2");
  REQUIRE(c.ok());
  CHECK(c->port == 80);
  CHECK(c->target == "/?q=2");

  auto d = ParseUrl("https://[::1]:8443/v1/chat/completions");
  REQUIRE(d.ok());
  CHECK(d->host == "::1");
  CHECK(d->port == 8443);
  CHECK(d->target == "/v1/chat/completions");
}

TEST_CASE("HttpFetch: https to a server that does not speak TLS fails") {
  LoopbackServer server(EchoHandler);
  auto answer = HttpFetch({.url = "https://127.0.0.1:" + std::to_string(server.Port()) + "/",
                           .timeout = std::chrono::milliseconds(2000)});
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().phase == HttpPhase::kTlsHandshake);
  CHECK_FALSE(answer.error().request_written);
}

TEST_CASE("RetryAfter reads the delay-seconds form only") {
  HttpClientResponse response;
  CHECK_FALSE(RetryAfter(response).has_value());
  response.headers = {{"retry-after", " 120 "}};
  CHECK(RetryAfter(response) == std::chrono::seconds(120));
  response.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  CHECK_FALSE(RetryAfter(response).has_value());
  response.headers = {{"Retry-After", "-3"}};
  CHECK_FALSE(RetryAfter(response).has_value());
}

}  // namespace
