#include "common/kafka_client_config.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace switchboard {
namespace {

constexpr std::string_view kPassThrough = "KAFKA_CONFIG_";

KafkaProperties& Installed() {
  static KafkaProperties properties;
  return properties;
}

/// Whether a pass-through variable may carry a secret (ssl.key.password, *.client.secret, ...).
bool MaybeSecret(std::string_view name) {
  for (const std::string_view word : {"PASSWORD", "SECRET", "KEY", "TOKEN", "CREDENTIAL"}) {
    if (name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

/// KAFKA_CONFIG_SOCKET_TIMEOUT_MS -> socket.timeout.ms.
std::string PropertyOf(std::string_view variable) {
  std::string property(variable.substr(kPassThrough.size()));
  for (char& c : property) {
    c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return property;
}

}  // namespace

KafkaClientConfig ReadKafkaClientConfig(EnvReader& env) {
  KafkaClientConfig config;
  config.brokers = env.Required("KAFKA_BROKERS");
  std::unique_ptr<RdKafka::Conf> probe(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  const auto set = [&](std::string_view variable, const std::string& property,
                       const std::string& value, bool secret) {
    std::string error;
    if (probe->set(property, value, error) != RdKafka::Conf::CONF_OK) {
      env.Fail(std::string(variable) + " (librdkafka's " + property + ") is refused" +
               (secret ? "" : ": " + error));
      return;
    }
    config.properties.emplace_back(property, value);
  };

  // Kafka's names, in either case (SASL_SSL as brokers write it, sasl_ssl as librdkafka does).
  std::string protocol = env.String("KAFKA_SECURITY_PROTOCOL", "plaintext");
  for (char& c : protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  constexpr std::string_view kProtocols[] = {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"};
  if (std::find(std::begin(kProtocols), std::end(kProtocols), protocol) == std::end(kProtocols)) {
    env.Fail(
        "KAFKA_SECURITY_PROTOCOL must be one of plaintext, ssl, sasl_plaintext, sasl_ssl, got '" +
        protocol + "'");
    protocol = "plaintext";
  }
  const bool sasl = protocol.starts_with("sasl_");
  const std::optional<std::string> mechanism = env.Optional("KAFKA_SASL_MECHANISM");
  const std::optional<std::string> username = env.Optional("KAFKA_SASL_USERNAME");
  const std::optional<std::string> password = env.Optional("KAFKA_SASL_PASSWORD", Secrecy::kSecret);
  const std::optional<std::string> ca = env.Optional("KAFKA_SSL_CA_LOCATION");
  if (protocol != "plaintext") set("KAFKA_SECURITY_PROTOCOL", "security.protocol", protocol, false);
  if (mechanism) {
    constexpr std::string_view kMechanisms[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
    if (std::find(std::begin(kMechanisms), std::end(kMechanisms), *mechanism) ==
        std::end(kMechanisms)) {
      env.Fail("KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got '" +
               *mechanism + "'");
    } else {
      set("KAFKA_SASL_MECHANISM", "sasl.mechanisms", *mechanism, false);
    }
  }
  if (sasl && !mechanism) env.Fail("KAFKA_SASL_MECHANISM is required with " + protocol);
  if (sasl && (!username || !password)) {
    env.Fail("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with " + protocol);
  }
  if (!sasl && (mechanism || username || password)) {
    env.Fail("KAFKA_SASL_* are set but KAFKA_SECURITY_PROTOCOL is " + protocol +
             " (use sasl_ssl or sasl_plaintext)");
  }
  if (username) set("KAFKA_SASL_USERNAME", "sasl.username", *username, false);
  if (password) set("KAFKA_SASL_PASSWORD", "sasl.password", *password, true);
  if (ca) set("KAFKA_SSL_CA_LOCATION", "ssl.ca.location", *ca, false);

  for (const std::string& variable : env.NamesStartingWith(kPassThrough)) {
    const bool secret = MaybeSecret(variable);
    const std::optional<std::string> value =
        env.Optional(variable, secret ? Secrecy::kSecret : Secrecy::kPublic);
    if (!value) continue;
    const std::string property = PropertyOf(variable);
    if (property == "bootstrap.servers" || property == "client.id") {
      env.Fail(variable + " is not allowed: use KAFKA_BROKERS (client.id is set per client)");
      continue;
    }
    set(variable, property, *value, secret);
  }
  return config;
}

void UseKafkaProperties(KafkaProperties properties) {
  Installed() = std::move(properties);
}

const KafkaProperties& InstalledKafkaProperties() {
  return Installed();
}

}  // namespace switchboard
