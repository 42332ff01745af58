#include "tests/support/admin_service.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <map>

#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

namespace switchboard::testing {

namespace {

using namespace std::chrono_literals;

const std::string kAdmin = SWITCHBOARD_BINARY_DIR "/workers/switchboard-admin";

std::map<std::string, std::string> Environment(const std::string& token) {
  auto environment = CurrentEnvironment();
  environment["ADMIN_TOKEN"] = token;
  environment["ADMIN_PORT"] = "0";
  environment["ADMIN_THREADS"] = "2";
  environment["DATABASE_URL"] = RequireEnv("DATABASE_URL");
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  return environment;
}

}  // namespace

AdminService::AdminService()
    : token_("admin-test-token-" + RandomDigits(24)),
      process_(kAdmin, {"serve"}, Environment(token_)),
      port_(process_.LoggedPort("admin service listening", 30s)) {
  REQUIRE_MESSAGE(port_ != 0, process_.Stderr());
}

AdminService::~AdminService() {
  if (!stopped_) Stop();
}

std::string AdminService::Logs() const {
  return process_.Stderr();
}

int AdminService::Stop() {
  stopped_ = true;
  process_.Signal(SIGTERM);
  return process_.Wait(15s);
}

HttpResult AdminService::Call(const std::string& method, const std::string& target,
                              const std::string& token, const std::string& body) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return HttpCall(port_, method, target, body, headers);
}

HttpResult AdminService::AsAdmin(const std::string& method, const std::string& target,
                                 const std::string& body) const {
  return Call(method, target, token_, body);
}

}  // namespace switchboard::testing
