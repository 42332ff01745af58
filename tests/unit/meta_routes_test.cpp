#include <doctest/doctest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <set>
#include <thread>

#include "common/kafka_record.hpp"
#include "ingest/meta_routes.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace switchboard;
namespace http = boost::beast::http;

constexpr char kSecret[] = "test-app-secret";
constexpr char kBody[] = R"({"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[
  {"field":"messages","value":{"messaging_product":"whatsapp",
   "metadata":{"display_phone_number":"15550001111","phone_number_id":"PN1"},
   "contacts":[{"profile":{"name":"Ann"},"wa_id":"4915112345678"}],
   "messages":[{"from":"4915112345678","id":"wamid.A1","timestamp":"1700000000","type":"text",
                "text":{"body":"Hello"}}]}}]}]})";

enum class Broker { kAcks, kFails, kSilent };

/// Routes wired to an in-memory broker that acknowledges, fails, or never answers.
struct RoutesUnderTest {
  explicit RoutesUnderTest(Broker broker)
      : registry(std::make_shared<prometheus::Registry>()),
        routes(
            {.meta_app_secrets = {"old-secret", kSecret},
             .meta_verify_token = "verify-me",
             .ack_timeout = std::chrono::milliseconds(200)},
            [this, broker](const OutboundRecord& record, DeliveryCallback done) {
              produced.push_back(record);
              if (broker == Broker::kAcks) done(std::nullopt);
              if (broker == Broker::kFails) done(Error{"broker down", true});
              if (broker == Broker::kSilent) silent.push_back(std::move(done));
            },
            OpsProbe{[] { return true; }, registry}) {}

  HttpResponse Call(http::verb method, std::string target, std::string body = "",
                    std::optional<std::string> signature = std::nullopt) {
    HttpRequest request{method, target, 11};
    request.body() = std::move(body);
    if (signature) request.set("X-Hub-Signature-256", *signature);
    io.restart();
    auto result =
        boost::asio::co_spawn(io, routes.Handle(std::move(request)), boost::asio::use_future);
    io.run();
    return result.get();
  }

  std::vector<std::string> Topics() const {
    std::vector<std::string> topics;
    for (const auto& record : produced) topics.push_back(record.topic);
    return topics;
  }

  // First: a late acknowledgement posts to it, so it outlives everything that may call back.
  boost::asio::io_context io;
  std::shared_ptr<prometheus::Registry> registry;
  std::vector<OutboundRecord> produced;
  std::vector<DeliveryCallback> silent;
  ingest::IngestRoutes routes;
};

std::string Sign(const std::string& body) {
  return testing::MetaSignature(kSecret, body);
}

}  // namespace

TEST_CASE("meta verification answers the challenge only for the right token") {
  RoutesUnderTest t(Broker::kAcks);
  auto ok = t.Call(http::verb::get,
                   "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="
                   "verify-me");
  CHECK(ok.result() == http::status::ok);
  CHECK(ok.body() == "1158201444");
  CHECK(ok[http::field::content_type] == "text/plain");
  auto wrong = t.Call(http::verb::get,
                      "/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope");
  CHECK(wrong.result() == http::status::forbidden);
  auto no_mode =
      t.Call(http::verb::get, "/webhooks/meta?hub.challenge=1&hub.verify_token=verify-me");
  CHECK(no_mode.result() == http::status::forbidden);
}

TEST_CASE("a delivery without a valid signature is 401 and produces nothing") {
  RoutesUnderTest t(Broker::kAcks);
  CHECK(t.Call(http::verb::post, "/webhooks/meta", kBody).result() == http::status::unauthorized);
  CHECK(t.Call(http::verb::post, "/webhooks/meta", kBody, "sha256=00").result() ==
        http::status::unauthorized);
  CHECK(
      t.Call(http::verb::post, "/webhooks/meta", kBody, Sign(std::string(kBody) + " ")).result() ==
      http::status::unauthorized);
  CHECK(t.produced.empty());
}

TEST_CASE("a signed delivery is 200 once the broker holds the raw body and every event") {
  RoutesUnderTest t(Broker::kAcks);
  auto response = t.Call(http::verb::post, "/webhooks/meta", kBody, Sign(kBody));
  CHECK(response.result() == http::status::ok);
  CHECK(t.Topics() == std::vector<std::string>{"webhooks.raw", "messages.inbound"});
  CHECK(t.produced[1].key == "whatsapp:PN1:4915112345678");
  const auto trace = FindHeader(t.produced[0].headers, "trace-id");
  REQUIRE(trace);
  CHECK(FindHeader(t.produced[1].headers, "trace-id") == trace);
}

TEST_CASE("an acknowledgement arriving after the routes and their registry are gone is harmless") {
  // The producer's final flush can report records after the routes were destroyed; the
  // callbacks still count into the routes' metrics, whose registry only the routes owned.
  boost::asio::io_context io;
  std::vector<DeliveryCallback> late;
  {
    ingest::IngestRoutes routes(
        {.meta_app_secrets = {kSecret},
         .meta_verify_token = "verify-me",
         .ack_timeout = std::chrono::milliseconds(20)},
        [&late](const OutboundRecord&, DeliveryCallback done) { late.push_back(std::move(done)); },
        OpsProbe{[] { return true; }, std::make_shared<prometheus::Registry>()});
    HttpRequest request{http::verb::post, "/webhooks/meta", 11};
    request.body() = kBody;
    request.set("X-Hub-Signature-256", Sign(kBody));
    auto result =
        boost::asio::co_spawn(io, routes.Handle(std::move(request)), boost::asio::use_future);
    io.run();
    CHECK(result.get().result() == http::status::service_unavailable);
  }
  REQUIRE(late.size() == 2);
  for (DeliveryCallback& done : late) done(std::nullopt);
  io.restart();
  io.run();
}

TEST_CASE("each delivery gets its own trace id: 32 lowercase hex digits") {
  RoutesUnderTest t(Broker::kAcks);
  std::set<std::string> traces;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(t.Call(http::verb::post, "/webhooks/meta", kBody, Sign(kBody)).result() ==
            http::status::ok);
    const auto trace = FindHeader(t.produced.back().headers, "trace-id");
    REQUIRE(trace);
    CHECK(trace->size() == 32);
    CHECK(trace->find_first_not_of("0123456789abcdef") == std::string::npos);
    traces.emplace(*trace);
  }
  CHECK(traces.size() == 20);
}

TEST_CASE("a delivery signed with the previous secret is still accepted during a rotation") {
  RoutesUnderTest t(Broker::kAcks);
  const std::string body = kBody;
  CHECK(t.Call(http::verb::post, "/webhooks/meta", body, testing::MetaSignature("old-secret", body))
            .result() == http::status::ok);
}

TEST_CASE("a broker failure or silence past the deadline answers 503") {
  RoutesUnderTest failing(Broker::kFails);
  CHECK(failing.Call(http::verb::post, "/webhooks/meta", kBody, Sign(kBody)).result() ==
        http::status::service_unavailable);
  RoutesUnderTest silent(Broker::kSilent);
  CHECK(silent.Call(http::verb::post, "/webhooks/meta", kBody, Sign(kBody)).result() ==
        http::status::service_unavailable);
  // A late acknowledgement after the answer must be harmless.
  for (auto& done : silent.silent) done(std::nullopt);
}

TEST_CASE(
    "a signed body that cannot be parsed is kept raw and as a dead letter, and acknowledged") {
  RoutesUnderTest t(Broker::kAcks);
  const std::string body = "{not json";
  CHECK(t.Call(http::verb::post, "/webhooks/meta", body, Sign(body)).result() == http::status::ok);
  REQUIRE(t.Topics() == std::vector<std::string>{"webhooks.raw", "webhooks.raw.dlq"});
  CHECK(t.produced[1].value.find("not JSON") != std::string::npos);
}

TEST_CASE("unknown paths are 404, other methods 405, and metrics count requests") {
  RoutesUnderTest t(Broker::kAcks);
  CHECK(t.Call(http::verb::get, "/nowhere").result() == http::status::not_found);
  CHECK(t.Call(http::verb::put, "/webhooks/meta").result() == http::status::method_not_allowed);
  CHECK(t.Call(http::verb::get, "/healthz").result() == http::status::ok);
  auto metrics = t.Call(http::verb::get, "/metrics");
  CHECK(metrics.result() == http::status::ok);
  CHECK(metrics.body().find(
            R"(switchboard_http_requests_total{route="/webhooks/meta",status="405"} 1)") !=
        std::string::npos);
  CHECK(metrics.body().find(R"(switchboard_http_requests_total{route="other",status="404"} 1)") !=
        std::string::npos);
}
