// The console page of switchboard-admin serve in a real browser: Debian's chromium, headless,
// driven by tests/browser/console_check.js (playwright-core). This test makes a group lag and
// writes a dead letter on the real broker, lets the page show the lag and click Re-drive, and
// checks that the record is back on its topic. The screenshot is kept in the test logs
// (SWITCHBOARD_LOG_DIR/console.png). tests/run installs the browser and the driver
// (compose/local/lib.sh install_browser) and exports where they are.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "common/dead_letter.hpp"
#include "common/json.hpp"
#include "common/kafka_consumer.hpp"
#include "common/kafka_producer.hpp"
#include "common/kafka_topics.hpp"
#include "tests/support/admin_service.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

TEST_CASE("console: a real browser sees a group's live lag and re-drives a dead letter") {
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  const std::string unique = RandomDigits(10);
  const std::string topic = "console-test-" + unique;
  const std::string group = "console-test-group-" + unique;
  const std::string stage = "console-test-stage-" + unique;
  CreateTopics(brokers, {{topic, 1, 3600000}, {DeadLetterTopic(topic), 1, 3600000}});

  // The group read 2 of 7 records and left: lag 5, STOPPED.
  KafkaProducer producer({.brokers = brokers});
  std::vector<OutboundRecord> records(7, OutboundRecord{.topic = topic, .key = "k", .value = "v"});
  REQUIRE_FALSE(producer.ProduceAndWait(records).has_value());
  {
    KafkaConsumer member({.brokers = brokers, .group_id = group, .topics = {topic}}, {});
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (member.Assignment().empty()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      (void)member.Poll(100ms);
    }
    REQUIRE_FALSE(member.Commit({{{topic, 0}, 2}}).has_value());
  }
  const OutboundRecord letter = DeadLetterFor(
      ConsumedRecord{.topic = topic, .offset = 6, .key = "the-failed-one", .value = R"({"n":6})"},
      {.stage = stage,
       .error = "the stage could not handle it",
       .attempts = 2,
       .first_failure_ms = 1,
       .last_failure_ms = 2});
  REQUIRE_FALSE(producer.ProduceAndWait(std::span(&letter, 1)).has_value());

  AdminService admin;
  const auto listing = json::Parse(admin.AsAdmin("GET", "/v1/ops/dlq?stage=" + stage).body);
  REQUIRE(listing.ok());
  REQUIRE((*listing)["dead_letters"].Size() == 1);
  const std::string id = (*listing)["dead_letters"][0]["id"].GetString();

  const std::filesystem::path screenshot =
      std::filesystem::path(RequireEnv("SWITCHBOARD_LOG_DIR")) / "console.png";
  std::filesystem::remove(screenshot);
  TopicReader back(brokers, topic);
  auto environment = CurrentEnvironment();
  environment["NODE_PATH"] = RequireEnv("SWITCHBOARD_NODE_PATH");
  environment["CHROMIUM"] = RequireEnv("SWITCHBOARD_CHROMIUM");
  environment["CONSOLE_URL"] = "http://127.0.0.1:" + std::to_string(admin.Port()) + "/";
  environment["ADMIN_TOKEN"] = admin.Token();
  environment["GROUP"] = group;
  environment["LAG"] = "5";
  environment["STATUS"] = "STOPPED";
  environment["DEAD_LETTER_ID"] = id;
  environment["SCREENSHOT"] = screenshot.string();
  ChildProcess check(RequireEnv("SWITCHBOARD_NODE"),
                     {SWITCHBOARD_SOURCE_DIR "/tests/browser/console_check.js"}, environment);
  const int rc = check.Wait(120s);
  CHECK_MESSAGE(rc == 0, check.Stderr());
  CHECK(std::filesystem::exists(screenshot));

  // The click put the record back on its topic, counting the attempts of its dead letter.
  const auto redriven = back.ReadAtLeast(1, 20s);
  REQUIRE(redriven.size() == 1);
  CHECK(redriven[0].key == "the-failed-one");
  CHECK(redriven[0].value == R"({"n":6})");
  CHECK(FindHeader(redriven[0].headers, kDeadLetterAttemptsHeader) == "2");
  const HttpResult shown = admin.AsAdmin("GET", "/v1/ops/dlq/" + id);
  const auto after = json::Parse(shown.body);
  REQUIRE_MESSAGE(after.ok(), shown.body);
  CHECK_MESSAGE(json::StringOr(*after, "status") == "redriven", shown.body);
  // The token never reached the service's logs.
  CHECK(admin.Logs().find(admin.Token()) == std::string::npos);
}
