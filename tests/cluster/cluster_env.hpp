#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::testing {

/// The variables of the cluster's env file, SWITCHBOARD_CLUSTER_ENV (lines `export NAME='value'`):
/// KAFKA_BROKERS (the SASL_SSL listeners), KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*,
/// KAFKA_SSL_CA_LOCATION, KAFKA_PLAINTEXT_BROKERS, ...
std::map<std::string, std::string> ClusterEnv();

/// This process's Kafka clients take the cluster's settings while it lives (plaintext again after).
struct ClusterClients {
  explicit ClusterClients(const std::map<std::string, std::string>& variables);
  ~ClusterClients();
  ClusterClients(const ClusterClients&) = delete;
  ClusterClients& operator=(const ClusterClients&) = delete;
  std::string brokers;
};

/// switchboard-admin with the test's environment plus `variables`: its exit code and output.
std::pair<int, std::string> Admin(const std::vector<std::string>& arguments,
                                  const std::map<std::string, std::string>& variables,
                                  std::chrono::seconds timeout = std::chrono::seconds(120));

/// compose/local/broker `action` (stop, start) `node` (1-3; 0: every node) on the cluster of
/// SWITCHBOARD_CLUSTER_ENV; fails the test unless it succeeds within five minutes.
void ClusterNode(const std::string& action, int node = 0);

}  // namespace switchboard::testing
