// The operator routes of the admin service (/v1/ops/lag, /v1/ops/dlq...) through its route
// table, with the real broker and database, and their gauges on /metrics.
#include <doctest/doctest.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <chrono>

#include "common/dead_letter.hpp"
#include "common/json.hpp"
#include "common/kafka_consumer.hpp"
#include "common/kafka_producer.hpp"
#include "common/kafka_topics.hpp"
#include "tests/support/kafka_reader.hpp"
#include "workers/admin/operator_routes.hpp"

using namespace switchboard;
using namespace switchboard::admin;
using namespace switchboard::testing;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

constexpr const char* kToken = "operator-routes-test-token";

std::string Unique(const std::string& what) {
  return "ops-routes-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
}

struct Service {
  Service()
      : brokers(RequireEnv("KAFKA_BROKERS")),
        registry(std::make_shared<prometheus::Registry>()),
        database(db::MakeConnectionPool({RequireEnv("DATABASE_URL"), 2})),
        producer({.brokers = brokers}),
        lag(brokers, *registry, 1s, 3),
        routes(kToken, TenantDirectory{}, OpsProbe{[] { return true; }, registry}) {
    RegisterOperatorRoutes(routes, {brokers, *database, producer, *registry, lag});
  }

  HttpResponse Call(http::verb method, const std::string& target, std::string body = "",
                    const char* token = kToken) {
    HttpRequest request{method, target, 11};
    if (token) request.set(http::field::authorization, std::string("Bearer ") + token);
    request.body() = std::move(body);
    request.prepare_payload();
    return routes.Handle(request);
  }

  std::string brokers;
  std::shared_ptr<prometheus::Registry> registry;
  std::shared_ptr<db::ConnectionPool> database;
  KafkaProducer producer;
  LagMonitor lag;
  AdminRoutes routes;
};

}  // namespace

TEST_CASE("GET /v1/ops/lag: a stopped group with lag, its status and gauges, 401 without token") {
  Service service;
  const std::string topic = Unique("topic");
  const std::string group = Unique("group");
  CreateTopics(service.brokers, {{topic, 1, 3600000}});
  std::vector<OutboundRecord> records(5, OutboundRecord{.topic = topic, .key = "k", .value = "v"});
  REQUIRE_FALSE(service.producer.ProduceAndWait(records).has_value());
  {
    KafkaConsumer member({.brokers = service.brokers, .group_id = group, .topics = {topic}}, {});
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (member.Assignment().empty()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      (void)member.Poll(100ms);
    }
    REQUIRE_FALSE(member.Commit({{{topic, 0}, 2}}).has_value());
  }  // left the group: lag 3 and no members

  CHECK(service.Call(http::verb::get, "/v1/ops/lag", "", nullptr).result() ==
        http::status::unauthorized);
  // The monitor samples every second: wait until a sample taken after the member left (an
  // earlier one may have seen the group with its member).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string answer;
  while (answer.empty()) {
    const HttpResponse response = service.Call(http::verb::get, "/v1/ops/lag?group=" + group);
    if (response.result() == http::status::ok) {
      const auto sample = json::Parse(response.body());
      REQUIRE(sample.ok());
      if ((*sample)["groups"][0]["members"].GetInt() == 0) answer = response.body();
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    if (answer.empty()) std::this_thread::sleep_for(200ms);
  }
  const auto body = json::Parse(answer);
  REQUIRE(body.ok());
  const auto& listed = (*body)["groups"][0];
  CHECK(std::string(listed["group"].GetString()) == group);
  CHECK(std::string(listed["status"].GetString()) == "STOPPED");
  CHECK(listed["members"].GetInt() == 0);
  CHECK(listed["partitions"][0]["committed"].GetInt64() == 2);
  CHECK(listed["partitions"][0]["end"].GetInt64() == 5);
  CHECK(listed["partitions"][0]["lag"].GetInt64() == 3);
  CHECK(listed["partitions"][0]["lag_seconds"].GetDouble() > 0.0);

  const std::string metrics = service.Call(http::verb::get, "/metrics", "", nullptr).body();
  CHECK(metrics.find("switchboard_group_lag_records{group=\"" + group +
                     "\",partition=\"0\",topic=\"" + topic + "\"} 3") != std::string::npos);
  CHECK(metrics.find("switchboard_group_status{group=\"" + group + "\"} 3") != std::string::npos);
  CHECK(service.Call(http::verb::get, "/v1/ops/lag?group=" + Unique("absent")).result() ==
        http::status::not_found);
}

TEST_CASE("/v1/ops/dlq: list, show, re-drive once, purge, bad bodies are 400") {
  Service service;
  const std::string topic = Unique("topic");
  const std::string stage = Unique("stage");
  CreateTopics(service.brokers, {{topic, 1, 3600000}, {DeadLetterTopic(topic), 1, 3600000}});
  std::vector<OutboundRecord> letters;
  for (int n = 0; n < 2; ++n) {
    letters.push_back(DeadLetterFor(
        ConsumedRecord{.topic = topic, .offset = n, .key = "k" + std::to_string(n), .value = "v"},
        {.stage = stage,
         .error = "bad",
         .attempts = 1,
         .first_failure_ms = 1,
         .last_failure_ms = 2}));
  }
  REQUIRE_FALSE(service.producer.ProduceAndWait(letters).has_value());

  auto response = service.Call(http::verb::get, "/v1/ops/dlq?stage=" + stage);
  REQUIRE(response.result() == http::status::ok);
  auto body = json::Parse(response.body());
  REQUIRE(body.ok());
  REQUIRE((*body)["dead_letters"].Size() == 2);
  const std::string first = (*body)["dead_letters"][0]["id"].GetString();
  const std::string second = (*body)["dead_letters"][1]["id"].GetString();
  CHECK(std::string((*body)["dead_letters"][0]["stage"].GetString()) == stage);

  response = service.Call(http::verb::get, "/v1/ops/dlq/" + first);
  CHECK(response.result() == http::status::ok);
  CHECK(response.body().find(R"("status":"pending")") != std::string::npos);
  CHECK(service.Call(http::verb::get, "/v1/ops/dlq/no-such-id").result() ==
        http::status::not_found);

  TopicReader back(service.brokers, topic);
  response = service.Call(http::verb::post, "/v1/ops/dlq/redrive",
                          R"({"stage":")" + stage + R"(","ids":[")" + first + R"("]})");
  CHECK(response.result() == http::status::ok);
  CHECK(response.body().find(R"("result":"redriven")") != std::string::npos);
  const auto records = back.ReadAtLeast(1, 20s);
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "k0");
  response = service.Call(http::verb::post, "/v1/ops/dlq/redrive",
                          R"({"stage":")" + stage + R"(","ids":[")" + first + R"("]})");
  CHECK(response.body().find("already dealt with") != std::string::npos);
  CHECK(back.ReadAtLeast(2, 2s).size() == 1);

  response = service.Call(http::verb::post, "/v1/ops/dlq/purge",
                          R"({"stage":")" + stage + R"(","all":true})");
  CHECK(response.result() == http::status::ok);
  CHECK(response.body().find(second) != std::string::npos);
  body = json::Parse(service.Call(http::verb::get, "/v1/ops/dlq?stage=" + stage).body());
  CHECK((*body)["dead_letters"].Size() == 0);

  for (const char* bad :
       {"nope", R"({"ids":["x"]})", R"({"stage":"s"})", R"({"stage":"s","ids":["x"],"all":true})",
        R"({"stage":"s","ids":[1]})"}) {
    CAPTURE(bad);
    CHECK(service.Call(http::verb::post, "/v1/ops/dlq/purge", bad).result() ==
          http::status::bad_request);
  }
  CHECK(service
            .Call(http::verb::post, "/v1/ops/dlq/redrive",
                  R"({"stage":")" + stage + R"(","ids":["no-such-id"]})")
            .result() == http::status::not_found);
  CHECK(service.Call(http::verb::get, "/v1/ops/dlq", "", "wrong-token").result() ==
        http::status::unauthorized);
  const std::string metrics = service.Call(http::verb::get, "/metrics", "", nullptr).body();
  CHECK(metrics.find("switchboard_dead_letter_actions_total{action=\"purged\",stage=\"" + stage +
                     "\"} 1") != std::string::npos);
}
