#include "tests/cluster/cluster_env.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/config.hpp"
#include "common/kafka_client_config.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_reader.hpp"

namespace switchboard::testing {

using namespace std::chrono_literals;

std::map<std::string, std::string> ClusterEnv() {
  const std::string path = RequireEnv("SWITCHBOARD_CLUSTER_ENV");
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot read " << path);
  std::map<std::string, std::string> variables;
  const std::regex line_form(R"(^export ([A-Z0-9_]+)='([^']*)'$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, line_form)) variables[match[1]] = match[2];
  }
  REQUIRE_MESSAGE(variables.contains("KAFKA_SASL_PASSWORD"), path << " has no cluster settings");
  return variables;
}

ClusterClients::ClusterClients(const std::map<std::string, std::string>& variables) {
  EnvReader env([&variables](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  });
  const KafkaClientConfig config = ReadKafkaClientConfig(env);
  REQUIRE_MESSAGE(env.Errors().empty(), env.Errors().front());
  brokers = config.brokers;
  UseKafkaProperties(config.properties);
}

ClusterClients::~ClusterClients() {
  UseKafkaProperties({});
}

std::pair<int, std::string> Admin(const std::vector<std::string>& arguments,
                                  const std::map<std::string, std::string>& variables,
                                  std::chrono::seconds timeout) {
  auto environment = CurrentEnvironment();
  for (const auto& [name, value] : variables) environment[name] = value;
  ChildProcess admin(SWITCHBOARD_BINARY_DIR "/workers/switchboard-admin", arguments, environment);
  const int code = admin.Wait(timeout);
  if (code < 0) admin.Signal(SIGKILL);
  return {code, admin.Stderr()};
}

void ClusterNode(const std::string& action, int node) {
  auto environment = CurrentEnvironment();
  environment["SWITCHBOARD_STATE"] =
      std::filesystem::path(RequireEnv("SWITCHBOARD_CLUSTER_ENV")).parent_path().string();
  std::vector<std::string> arguments{action};
  if (node != 0) arguments.push_back(std::to_string(node));
  ChildProcess broker(SWITCHBOARD_SOURCE_DIR "/compose/local/broker", arguments, environment);
  const int code = broker.Wait(300s);
  if (code < 0) broker.Signal(SIGKILL);
  REQUIRE_MESSAGE(code == 0, "compose/local/broker " << action << " " << node << ":\n"
                                                     << broker.Stderr());
}

}  // namespace switchboard::testing
