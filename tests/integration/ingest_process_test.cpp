// The switchboard-ingest binary itself: configuration errors and a graceful SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka_reader.hpp"

namespace {

using namespace switchboard::testing;
using namespace std::chrono_literals;

const std::string kIngest = SWITCHBOARD_BINARY_DIR "/ingest/switchboard-ingest";

}  // namespace

TEST_CASE("ingest refuses to start without a required variable and names it") {
  auto environment = CurrentEnvironment();
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  environment.erase("META_APP_SECRET");
  environment["META_VERIFY_TOKEN"] = "t";
  ChildProcess ingest(kIngest, {}, environment);
  CHECK(ingest.Wait(30s) == 2);
  CHECK(ingest.Stderr().find("META_APP_SECRET") != std::string::npos);
}

TEST_CASE("ingest refuses a port out of range with exit code 2, naming INGEST_PORT and its range") {
  auto environment = CurrentEnvironment();
  // Nothing is reached: the configuration is refused before the producer exists.
  environment["KAFKA_BROKERS"] = "127.0.0.1:9";
  environment["META_APP_SECRET"] = "range-test-secret";
  environment["META_VERIFY_TOKEN"] = "t";
  environment["INGEST_PORT"] = "70000";
  ChildProcess ingest(kIngest, {}, environment);
  CHECK(ingest.Wait(30s) == 2);
  const std::string log = ingest.Stderr();
  CHECK(log.find("\"configuration error\"") != std::string::npos);
  CHECK(log.find("INGEST_PORT must be a whole number from 0 to 65535, got '70000'") !=
        std::string::npos);
  CHECK(log.find("range-test-secret") == std::string::npos);
}

TEST_CASE("ingest serves health and readiness, and exits 0 on SIGTERM") {
  auto environment = CurrentEnvironment();
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  environment["META_APP_SECRET"] = "process-test-secret";
  environment["META_VERIFY_TOKEN"] = "t";
  environment["INGEST_PORT"] = "0";
  ChildProcess ingest(kIngest, {}, environment);
  const unsigned short port = ingest.LoggedPort("ingest listening", 30s);
  REQUIRE(port != 0);
  // The configuration in use is logged at start, the secrets masked.
  CHECK(ingest.Stderr().find(R"("msg":"configuration")") != std::string::npos);
  CHECK(ingest.Stderr().find(R"("META_APP_SECRET":"***")") != std::string::npos);
  CHECK(ingest.Stderr().find(R"("INGEST_PORT":0)") != std::string::npos);
  CHECK(HttpCall(port, "GET", "/healthz").status == 200);
  CHECK(HttpCall(port, "GET", "/readyz").status == 200);
  const auto metrics = HttpCall(port, "GET", "/metrics");
  CHECK(metrics.body.find("switchboard_http_requests_total") != std::string::npos);
  CHECK(metrics.body.find("process-test-secret") == std::string::npos);
  ingest.Signal(SIGTERM);
  CHECK(ingest.Wait(30s) == 0);
  CHECK(ingest.Stderr().find("process-test-secret") == std::string::npos);
}
