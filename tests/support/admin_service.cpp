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

std::map<std::string, std::string> Environment(const std::string& token,
                                               const std::map<std::string, std::string>& extra) {
  auto environment = CurrentEnvironment();
  environment["ADMIN_TOKEN"] = token;
  environment["ADMIN_PORT"] = "0";
  environment["ADMIN_THREADS"] = "2";
  environment["DATABASE_URL"] = RequireEnv("DATABASE_URL");
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  for (const auto& [name, value] : extra) environment[name] = value;
  return environment;
}

}  // namespace

AdminService::AdminService(const std::map<std::string, std::string>& environment)
    : token_("admin-test-token-" + RandomDigits(24)),
      process_(kAdmin, {"serve"}, Environment(token_, environment)),
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

void ScriptMetaLogin(FakeGraphApi& graph, const MetaLogin& login) {
  graph.Script({.body = R"({"access_token":"short-lived-user-token","token_type":"bearer",)"
                        R"("expires_in":3600})"});
  graph.Script({.body = R"({"access_token":")" + login.user_token +
                        R"(","token_type":"bearer","expires_in":)" +
                        std::to_string(login.expires_in_seconds) + "}"});
  graph.Script({.body = R"({"data":{"app_id":"app","is_valid":true,"granular_scopes":[)"
                        R"({"scope":"whatsapp_business_management","target_ids":[")" +
                        login.business_account +
                        R"("]},{"scope":"whatsapp_business_messaging","target_ids":[")" +
                        login.business_account +
                        R"("]},{"scope":"pages_messaging","target_ids":[")" + login.page_id +
                        R"("]}]}})"});
  graph.Script({.body = R"({"data":[{"id":")" + login.phone_number_id +
                        R"(","display_phone_number":"+1 555 0100"}]})"});
  graph.Script({.body = R"({"success":true})"});
  graph.Script({.body = R"({"data":[{"id":")" + login.page_id +
                        R"(","name":"Sun Dental","access_token":")" + login.page_token +
                        R"(","instagram_business_account":{"id":")" + login.instagram_id +
                        R"("}}]})"});
  graph.Script({.body = R"({"success":true})"});
}

}  // namespace switchboard::testing
