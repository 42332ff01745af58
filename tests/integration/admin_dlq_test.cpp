// switchboard-admin dlq against the real broker and database: listing, showing, re-driving and
// purging dead letters of a stage, and what is pending afterwards.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>

#include "common/dead_letter.hpp"
#include "common/json.hpp"
#include "common/kafka_producer.hpp"
#include "common/kafka_topics.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_reader.hpp"

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

namespace {

const std::string kAdmin = SWITCHBOARD_BINARY_DIR "/workers/switchboard-admin";

std::string Unique(const std::string& what) {
  return "ops-dlq-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
}

/// Runs switchboard-admin with `arguments`; returns its exit code and stdout (LOG_LEVEL=error).
std::pair<int, std::string> Admin(const std::vector<std::string>& arguments) {
  auto environment = CurrentEnvironment();
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  environment["DATABASE_URL"] = RequireEnv("DATABASE_URL");
  environment["LOG_LEVEL"] = "error";
  ChildProcess admin(kAdmin, arguments, environment);
  const int code = admin.Wait(60s);
  return {code, admin.Stderr()};
}

/// The ids of `stage`'s pending dead letters, as dlq list --json says.
std::vector<std::string> PendingIds(const std::string& stage) {
  const auto [code, out] = Admin({"dlq", "list", "--stage", stage, "--json"});
  REQUIRE(code == 0);
  const auto listed = json::Parse(out);
  REQUIRE(listed.ok());
  std::vector<std::string> ids;
  for (const auto& letter : (*listed)["dead_letters"].GetArray()) {
    ids.push_back(letter["id"].GetString());
  }
  return ids;
}

}  // namespace

TEST_CASE("admin dlq: list, show, re-drive back to the topic once, purge, pending shrinks") {
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  const std::string topic = Unique("topic");
  const std::string stage = Unique("stage");
  CreateTopics(brokers, {{topic, 1, 3600000}, {DeadLetterTopic(topic), 1, 3600000}});
  KafkaProducer producer({.brokers = brokers});
  std::vector<OutboundRecord> letters;
  for (int n = 0; n < 3; ++n) {
    const ConsumedRecord original{.topic = topic,
                                  .partition = 0,
                                  .offset = n,
                                  .key = "key-" + std::to_string(n),
                                  .value = R"({"n":)" + std::to_string(n) + "}",
                                  .headers = {{"event-id", "event-" + std::to_string(n)}},
                                  .timestamp_ms = 1714555970000};
    letters.push_back(DeadLetterFor(original, {.stage = stage,
                                               .error = "failure " + std::to_string(n),
                                               .attempts = 1,
                                               .first_failure_ms = 1714555980000,
                                               .last_failure_ms = 1714555981000}));
  }
  // The same dead letter written twice (a retried write) is listed once.
  letters.push_back(letters.front());
  REQUIRE_FALSE(producer.ProduceAndWait(letters).has_value());

  std::vector<std::string> pending = PendingIds(stage);
  REQUIRE(pending.size() == 3);

  const auto [shown_code, shown] = Admin({"dlq", "show", pending[1], "--json"});
  REQUIRE(shown_code == 0);
  const auto detail = json::Parse(shown);
  REQUIRE(detail.ok());
  CHECK(std::string((*detail)["status"].GetString()) == "pending");
  const auto& letter = (*detail)["dead_letter"];
  CHECK(std::string(letter["stage"].GetString()) == stage);
  CHECK(std::string(letter["topic"].GetString()) == topic);
  CHECK(letter["offset"].GetInt64() == 1);
  CHECK(std::string(letter["event_id"].GetString()) == "event-1");
  CHECK(std::string(letter["error"].GetString()) == "failure 1");
  CHECK(letter["attempts"].GetInt() == 1);
  CHECK(std::string(letter["time"].GetString()) == "2024-05-01T09:33:01.000Z");
  CHECK(letter["value"]["n"].GetInt() == 1);

  TopicReader back(brokers, topic);
  const auto [redrive_code, redriven] = Admin({"dlq", "redrive", pending[1], "--stage", stage});
  CHECK(redrive_code == 0);
  CHECK(redriven.find("redriven") != std::string::npos);
  const auto records = back.ReadAtLeast(1, 20s);
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "key-1");
  CHECK(records[0].value == R"({"n":1})");
  CHECK(FindHeader(records[0].headers, "event-id") == "event-1");
  CHECK(FindHeader(records[0].headers, "dead-letter-attempts") == "1");

  // Again: nothing produced, and it says so.
  const auto [again_code, again] = Admin({"dlq", "redrive", pending[1], "--stage", stage});
  CHECK(again_code == 0);
  CHECK(again.find("already dealt with") != std::string::npos);
  CHECK(back.ReadAtLeast(2, 2s).size() == 1);

  const auto [purge_code, purged] = Admin({"dlq", "purge", pending[0], "--stage", stage});
  CHECK(purge_code == 0);
  CHECK(purged.find("purged") != std::string::npos);
  CHECK(PendingIds(stage) == std::vector<std::string>{pending[2]});

  // The rest at once; then nothing is pending and show tells what happened.
  CHECK(Admin({"dlq", "purge", "--all", "--stage", stage}).first == 0);
  CHECK(PendingIds(stage).empty());
  const auto [status_code, status] = Admin({"dlq", "show", pending[1], "--json"});
  CHECK(status_code == 0);
  CHECK(status.find(R"("status":"redriven")") != std::string::npos);
}

TEST_CASE("admin dlq: bad usage exits 2, an unknown id exits 1") {
  CHECK(Admin({"dlq"}).first == 2);
  CHECK(Admin({"dlq", "frob"}).first == 2);
  CHECK(Admin({"dlq", "redrive", "some-id"}).first == 2);                   // no --stage
  CHECK(Admin({"dlq", "purge", "--stage", "s"}).first == 2);                // no ids, no --all
  CHECK(Admin({"dlq", "purge", "x", "--all", "--stage", "s"}).first == 2);  // both
  CHECK(Admin({"dlq", "list", "--all"}).first == 2);
  const auto [code, out] = Admin({"dlq", "redrive", "no-such-id", "--stage", Unique("stage")});
  CHECK(code == 1);
  CHECK(out.find("no dead letter of this stage") != std::string::npos);
  CHECK(Admin({"dlq", "show", "no-such-id"}).first == 1);
}
