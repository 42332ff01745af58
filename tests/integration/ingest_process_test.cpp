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

TEST_CASE("ingest serves health and readiness, and exits 0 on SIGTERM") {
  auto environment = CurrentEnvironment();
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  environment["META_APP_SECRET"] = "process-test-secret";
  environment["META_VERIFY_TOKEN"] = "t";
  environment["INGEST_PORT"] = "0";
  ChildProcess ingest(kIngest, {}, environment);
  const unsigned short port = ingest.LoggedPort("ingest listening", 30s);
  REQUIRE(port != 0);
  CHECK(HttpCall(port, "GET", "/healthz").status == 200);
  CHECK(HttpCall(port, "GET", "/readyz").status == 200);
  const auto metrics = HttpCall(port, "GET", "/metrics");
  CHECK(metrics.body.find("switchboard_http_requests_total") != std::string::npos);
  CHECK(metrics.body.find("process-test-secret") == std::string::npos);
  ingest.Signal(SIGTERM);
  CHECK(ingest.Wait(30s) == 0);
  CHECK(ingest.Stderr().find("process-test-secret") == std::string::npos);
}
