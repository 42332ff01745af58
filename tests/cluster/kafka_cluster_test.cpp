// Switchboard on the three-node cluster that tests/run starts (compose/local/cluster.sh): its
// clients connect over SASL_SSL (SCRAM-SHA-512, the harness's CA) with the settings of the
// cluster's env file (SWITCHBOARD_CLUSTER_ENV), topics are created replicated three times with
// min.insync.replicas 2, and a wrong password fails fast with a clear error instead of hanging.
#include <doctest/doctest.h>

#include <chrono>

#include "common/kafka_producer.hpp"
#include "tests/cluster/cluster_env.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

}  // namespace

TEST_CASE("cluster: topics replicated 3 times with min.insync.replicas 2, used over SASL_SSL") {
  const auto cluster = ClusterEnv();
  const auto [created, output] =
      Admin({"create-topics", "--schemas", SWITCHBOARD_SOURCE_DIR "/schemas"}, cluster);
  REQUIRE_MESSAGE(created == 0, output);

  // Kafka's own tool, on the plaintext listener, sees what create-topics asked for.
  ChildProcess describe(
      "/usr/bin/java",
      {"-Xmx256m", "-cp", RequireEnv("SWITCHBOARD_KAFKA_LIB") + "/*",
       "org.apache.kafka.tools.TopicCommand", "--bootstrap-server",
       cluster.at("KAFKA_PLAINTEXT_BROKERS"), "--describe", "--topic", "messages.inbound"},
      CurrentEnvironment());
  REQUIRE(describe.Wait(60s) == 0);
  const std::string topic = describe.Stderr();
  CHECK_MESSAGE(topic.find("ReplicationFactor: 3") != std::string::npos, topic);
  CHECK_MESSAGE(topic.find("min.insync.replicas=2") != std::string::npos, topic);

  // A record through the SASL_SSL listeners, written with acks=all and read back.
  const ClusterClients clients(cluster);
  const std::string key = "cluster-test-" + RandomDigits(10);
  KafkaProducer producer({.brokers = clients.brokers, .client_id = "cluster-test"});
  const OutboundRecord record{.topic = "messages.inbound", .key = key, .value = R"({"n":1})"};
  TopicReader reader(clients.brokers, "messages.inbound");
  const auto failed = producer.ProduceAndWait(std::span(&record, 1));
  REQUIRE_MESSAGE(!failed.has_value(), failed->message);
  bool found = false;
  for (const ConsumedRecord& read : reader.ReadAtLeast(1, 30s)) found = found || read.key == key;
  CHECK(found);

  // The operator commands work over SASL_SSL too.
  const auto [lag, lag_output] = Admin({"lag", "--json"}, cluster);
  CHECK_MESSAGE(lag == 0, lag_output);
  CHECK(lag_output.find(cluster.at("KAFKA_SASL_PASSWORD")) == std::string::npos);
}

TEST_CASE("cluster: a wrong SASL password fails with a clear error, not a hang") {
  auto cluster = ClusterEnv();
  cluster["KAFKA_SASL_PASSWORD"] = "not-the-password-" + RandomDigits(6);
  const auto started = std::chrono::steady_clock::now();
  const auto [code, output] = Admin({"lag", "--json"}, cluster, 60s);
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK_MESSAGE(code == 1, output);
  CHECK_MESSAGE(took < 40s, output);
  // The command's own error line says why, not only librdkafka's log.
  CHECK_MESSAGE(output.find("switchboard-admin lag: ") != std::string::npos, output);
  const std::string said = output.substr(output.find("switchboard-admin lag: "));
  CHECK_MESSAGE(said.find("SASL authentication error") != std::string::npos, output);
  CHECK(output.find(cluster.at("KAFKA_SASL_PASSWORD")) == std::string::npos);
}
