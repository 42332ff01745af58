// How every Kafka client connects (common/kafka_client_config.hpp) and how topics are replicated
// (common/kafka_topics.hpp): the environment's security settings and pass-through properties,
// the errors that name the variable, passwords never shown; defaults that fit the cluster.
#include <doctest/doctest.h>
#include <librdkafka/rdkafkacpp.h>

#include <map>

#include "common/config.hpp"
#include "common/kafka_client_config.hpp"
#include "common/kafka_conf.hpp"
#include "common/kafka_topics.hpp"

namespace {

using namespace switchboard;
using Environment = std::map<std::string, std::string>;

/// An EnvReader over `environment` that can list it (for KAFKA_CONFIG_*).
EnvReader ReaderOf(const Environment& environment) {
  return EnvReader(
      [environment](const std::string& name) {
        const auto found = environment.find(name);
        return found == environment.end() ? std::nullopt
                                          : std::optional<std::string>(found->second);
      },
      [environment] {
        std::vector<std::string> names;
        for (const auto& [name, value] : environment) names.push_back(name);
        return names;
      });
}

std::string Problems(const EnvReader& env) {
  std::string all;
  for (const std::string& error : env.Errors()) all += error + "\n";
  return all;
}

std::string Shown(const EnvReader& env, const std::string& name) {
  for (const ConfigVariable& variable : env.Variables()) {
    if (variable.name == name) return std::get<std::string>(variable.shown);
  }
  return "<not read>";
}

}  // namespace

TEST_CASE("kafka client: plaintext by default, no property beyond the brokers") {
  EnvReader env = ReaderOf({{"KAFKA_BROKERS", "127.0.0.1:9092"}});
  const KafkaClientConfig config = ReadKafkaClientConfig(env);
  CHECK(Problems(env).empty());
  CHECK(config.brokers == "127.0.0.1:9092");
  CHECK(config.properties.empty());
}

TEST_CASE("kafka client: SASL_SSL with SCRAM, a CA and pass-through properties, password masked") {
  EnvReader env = ReaderOf({{"KAFKA_BROKERS", "b1:9093,b2:9093"},
                            {"KAFKA_SECURITY_PROTOCOL", "SASL_SSL"},  // Kafka's spelling
                            {"KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"},
                            {"KAFKA_SASL_USERNAME", "switchboard"},
                            {"KAFKA_SASL_PASSWORD", "s3cr3t-password"},
                            {"KAFKA_SSL_CA_LOCATION", "/etc/ssl/ca.pem"},
                            {"KAFKA_CONFIG_SOCKET_TIMEOUT_MS", "20000"},
                            {"KAFKA_CONFIG_SSL_KEY_PASSWORD", "another-secret"},
                            {"UNRELATED", "x"}});
  const KafkaClientConfig config = ReadKafkaClientConfig(env);
  CHECK(Problems(env).empty());
  const KafkaProperties expected = {
      {"security.protocol", "sasl_ssl"},      {"sasl.mechanisms", "SCRAM-SHA-512"},
      {"sasl.username", "switchboard"},       {"sasl.password", "s3cr3t-password"},
      {"ssl.ca.location", "/etc/ssl/ca.pem"}, {"socket.timeout.ms", "20000"},
      {"ssl.key.password", "another-secret"}};
  CHECK(config.properties == expected);
  // The configuration log line shows no password.
  CHECK(Shown(env, "KAFKA_SASL_PASSWORD") == "***");
  CHECK(Shown(env, "KAFKA_CONFIG_SSL_KEY_PASSWORD") == "***");
  CHECK(Shown(env, "KAFKA_CONFIG_SOCKET_TIMEOUT_MS") == "20000");
}

TEST_CASE("kafka client: a wrong value is an error naming its variable, never a password") {
  {
    EnvReader env = ReaderOf({{"KAFKA_BROKERS", "b:9092"}, {"KAFKA_SECURITY_PROTOCOL", "tls"}});
    ReadKafkaClientConfig(env);
    CHECK(Problems(env).find("KAFKA_SECURITY_PROTOCOL must be one of plaintext, ssl, "
                             "sasl_plaintext, sasl_ssl, got 'tls'") != std::string::npos);
  }
  {
    EnvReader env = ReaderOf({{"KAFKA_BROKERS", "b:9092"},
                              {"KAFKA_SECURITY_PROTOCOL", "sasl_ssl"},
                              {"KAFKA_SASL_MECHANISM", "GSSAPI-PLEASE"},
                              {"KAFKA_SASL_PASSWORD", "hunter2-password"}});
    ReadKafkaClientConfig(env);
    const std::string problems = Problems(env);
    CHECK(
        problems.find("KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512") !=
        std::string::npos);
    CHECK(problems.find("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with sasl_ssl") !=
          std::string::npos);
    CHECK(problems.find("hunter2") == std::string::npos);
  }
  {
    EnvReader env = ReaderOf({{"KAFKA_BROKERS", "b:9092"}, {"KAFKA_SASL_USERNAME", "u"}});
    ReadKafkaClientConfig(env);
    CHECK(Problems(env).find("KAFKA_SECURITY_PROTOCOL is plaintext") != std::string::npos);
  }
  {
    EnvReader env = ReaderOf({{"KAFKA_BROKERS", "b:9092"},
                              {"KAFKA_CONFIG_SOCKET_TIMEOUT_MS", "soon"},
                              {"KAFKA_CONFIG_NO_SUCH_PROPERTY", "1"},
                              {"KAFKA_CONFIG_SSL_KEY_PASSWORD", ""},
                              {"KAFKA_CONFIG_BOOTSTRAP_SERVERS", "elsewhere:9092"}});
    const KafkaClientConfig config = ReadKafkaClientConfig(env);
    const std::string problems = Problems(env);
    CHECK(problems.find("KAFKA_CONFIG_SOCKET_TIMEOUT_MS (librdkafka's socket.timeout.ms) is "
                        "refused") != std::string::npos);
    CHECK(problems.find("KAFKA_CONFIG_NO_SUCH_PROPERTY (librdkafka's no.such.property) is "
                        "refused") != std::string::npos);
    CHECK(problems.find("KAFKA_CONFIG_BOOTSTRAP_SERVERS is not allowed") != std::string::npos);
    CHECK(config.properties.empty());  // an empty value counts as unset
  }
}

TEST_CASE("kafka client: the installed properties go into every client's configuration") {
  UseKafkaProperties({{"socket.timeout.ms", "12345"}});
  const auto conf = NewKafkaConf("127.0.0.1:9", "test");
  std::string value;
  CHECK(conf->get("socket.timeout.ms", value) == RdKafka::Conf::CONF_OK);
  CHECK(value == "12345");
  UseKafkaProperties({});
  CHECK(NewKafkaConf("127.0.0.1:9", "test")->get("socket.timeout.ms", value) ==
        RdKafka::Conf::CONF_OK);
  CHECK(value == "60000");  // librdkafka's default again
}

TEST_CASE("topic replication: min(3, brokers) copies, one fewer must acknowledge, or as given") {
  CHECK(ReplicationFor({}, 1) == std::pair(1, 1));
  CHECK(ReplicationFor({}, 2) == std::pair(2, 1));
  CHECK(ReplicationFor({}, 3) == std::pair(3, 2));
  CHECK(ReplicationFor({}, 5) == std::pair(3, 2));
  CHECK(ReplicationFor({.factor = 5}, 5) == std::pair(5, 4));
  CHECK(ReplicationFor({.factor = 3, .min_insync = 3}, 3) == std::pair(3, 3));
  CHECK(ReplicationFor({.min_insync = 1}, 3) == std::pair(3, 1));
}
