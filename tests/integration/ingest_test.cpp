// The ingest routes in-process, with a real producer against the broker tests/run started.
#include <doctest/doctest.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <set>
#include <thread>

#include "common/http_server.hpp"
#include "common/kafka_producer.hpp"
#include "ingest/meta_routes.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka_reader.hpp"

namespace {

using namespace switchboard;
using namespace std::chrono_literals;
using testing::HttpCall;
using testing::MetaSignature;
using testing::RequireEnv;
using testing::TopicReader;

constexpr char kSecret[] = "integration-secret";

/// Ingest on a free port, producing to the test broker.
struct IngestUnderTest {
  IngestUnderTest()
      : brokers(RequireEnv("KAFKA_BROKERS")),
        // Delivery reports on the server's threads, as in switchboard-ingest.
        producer({.brokers = brokers,
                  .client_id = "ingest-test",
                  .delivery_timeout = 4000ms,
                  .reports_on = &io}),
        routes(
            {.meta_app_secrets = {kSecret}, .meta_verify_token = "t", .ack_timeout = 4000ms},
            [this](const OutboundRecord& record, DeliveryCallback done) {
              producer.Produce(record, std::move(done));
            },
            OpsProbe{[this] { return producer.BrokerReachable(500ms); },
                     std::make_shared<prometheus::Registry>()}),
        server(io, {boost::asio::ip::make_address("127.0.0.1"), 0},
               [this](HttpRequest request) { return routes.Handle(std::move(request)); }, {}),
        thread([this] { io.run(); }) {}

  ~IngestUnderTest() {
    server.Stop();
    io.stop();
    thread.join();
  }

  testing::HttpResult Post(const std::string& body, const std::string& signature) {
    return HttpCall(server.Port(), "POST", "/webhooks/meta", body,
                    {{"X-Hub-Signature-256", signature}, {"Content-Type", "application/json"}});
  }

  std::string brokers;
  boost::asio::io_context io;
  KafkaProducer producer;
  ingest::IngestRoutes routes;
  HttpServer server;
  std::thread thread;
};

std::string Delivery(const std::string& tag) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{
    "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"PN-)" +
         tag + R"("},
    "contacts":[{"profile":{"name":"Ann"},"wa_id":"491511111"},{"profile":{"name":"Bo"},"wa_id":"491522222"}],
    "messages":[
      {"from":"491511111","id":"wamid.)" +
         tag + R"(-1","timestamp":"1700000000","type":"text","text":{"body":"one"}},
      {"from":"491522222","id":"wamid.)" +
         tag + R"(-2","timestamp":"1700000001","type":"text","text":{"body":"two"}},
      {"from":"491511111","id":"wamid.)" +
         tag + R"(-3","timestamp":"1700000002","type":"text","text":{"body":"three"}}],
    "statuses":[{"id":"wamid.)" +
         tag + R"(-out","status":"delivered","timestamp":"1700000003","recipient_id":"491511111"}]
  }}]}]})";
}

std::string UniqueTag() {
  return std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::vector<std::string> Keys(const std::vector<ConsumedRecord>& records) {
  std::vector<std::string> keys;
  for (const auto& record : records) keys.push_back(record.key);
  return keys;
}

}  // namespace

TEST_CASE("a signed delivery with three messages and a status becomes four keyed records") {
  IngestUnderTest ingest;
  TopicReader inbound(ingest.brokers, "messages.inbound");
  TopicReader statuses(ingest.brokers, "delivery.status");
  TopicReader raw(ingest.brokers, "webhooks.raw");
  const std::string tag = UniqueTag();
  const std::string body = Delivery(tag);

  const auto response = ingest.Post(body, MetaSignature(kSecret, body));
  CHECK(response.status == 200);

  const auto messages = inbound.ReadAtLeast(3, 10s);
  REQUIRE(messages.size() == 3);
  const std::string account = "whatsapp:PN-" + tag + ":";
  std::vector<std::string> keys = Keys(messages);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{account + "491511111", account + "491511111",
                                         account + "491522222"});
  std::vector<std::string> texts;
  for (const auto& record : messages) {
    CHECK(FindHeader(record.headers, "event-id"));
    CHECK(FindHeader(record.headers, "schema") == "messages.inbound/1");
    REQUIRE(FindHeader(record.headers, "trace-id"));
    rapidjson::Document value;
    value.Parse(record.value.c_str());
    REQUIRE(value.IsObject());
    texts.push_back(value["text"].GetString());
  }
  // One conversation's records share a partition, so their order is the delivery's order.
  std::vector<std::string> ann;
  for (const auto& record : messages) {
    if (record.key == account + "491511111") {
      rapidjson::Document value;
      value.Parse(record.value.c_str());
      ann.push_back(value["text"].GetString());
    }
  }
  CHECK(ann == std::vector<std::string>{"one", "three"});

  const auto delivered = statuses.ReadAtLeast(1, 10s);
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].key == account + "491511111");
  CHECK(FindHeader(delivered[0].headers, "schema") == "delivery.status/1");

  const auto raws = raw.ReadAtLeast(1, 10s);
  REQUIRE(raws.size() == 1);
  rapidjson::Document envelope;
  envelope.Parse(raws[0].value.c_str());
  REQUIRE(envelope.IsObject());
  CHECK(std::string(envelope["body"].GetString()) == body);
}

TEST_CASE("a bad signature is 401 and produces nothing") {
  IngestUnderTest ingest;
  TopicReader raw(ingest.brokers, "webhooks.raw");
  const std::string forged = Delivery("forged-" + UniqueTag());
  CHECK(ingest.Post(forged, MetaSignature("wrong-secret", forged)).status == 401);
  // The next good delivery is the first record written: the forged one never reached the topic.
  const std::string good = Delivery("good-" + UniqueTag());
  CHECK(ingest.Post(good, MetaSignature(kSecret, good)).status == 200);
  const auto records = raw.ReadAtLeast(1, 10s);
  REQUIRE(!records.empty());
  rapidjson::Document first;
  first.Parse(records.front().value.c_str());
  CHECK(std::string(first["body"].GetString()) == good);
}

TEST_CASE("broker down: 503, broker back: the retried delivery is 200 and its records are there") {
  const std::string broker_ctl = RequireEnv("SWITCHBOARD_BROKER_CTL");
  IngestUnderTest ingest;
  const std::string tag = UniqueTag();
  const std::string body = Delivery(tag);
  const std::string signature = MetaSignature(kSecret, body);

  REQUIRE(std::system((broker_ctl + " stop").c_str()) == 0);
  const auto refused = ingest.Post(body, signature);
  CHECK(refused.status == 503);
  REQUIRE(std::system((broker_ctl + " start").c_str()) == 0);

  TopicReader inbound(ingest.brokers, "messages.inbound");

  // Meta retries until it gets a 200; so does this test, within a deadline.
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = ingest.Post(body, signature).status;
  }
  CHECK(status == 200);
  std::set<std::string> ids;
  for (const auto& record : inbound.ReadAtLeast(3, 20s)) {
    rapidjson::Document value;
    value.Parse(record.value.c_str());
    if (record.key.find("PN-" + tag) != std::string::npos) {
      ids.insert(value["platform_message_id"].GetString());
    }
  }
  CHECK(ids ==
        std::set<std::string>{"wamid." + tag + "-1", "wamid." + tag + "-2", "wamid." + tag + "-3"});
}
