#pragma once

// How every librdkafka client of a process reaches the cluster (README, "Connecting to a Kafka
// cluster"): KAFKA_BROKERS, then security from KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM,
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SSL_CA_LOCATION, and any other librdkafka
// property through KAFKA_CONFIG_<NAME> (the property's name upper-cased with '.' as '_':
// KAFKA_CONFIG_SOCKET_TIMEOUT_MS sets socket.timeout.ms). Each binary reads them once with its
// configuration and installs the properties before it creates its first client; the producer,
// the consumers, the partition reader and the admin client all start from NewKafkaConf
// (common/kafka_conf.hpp), which applies them.

#include <string>
#include <utility>
#include <vector>

#include "common/config.hpp"

namespace switchboard {

/// librdkafka properties, name and value, in the order they are set.
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

struct KafkaClientConfig {
  std::string brokers;
  /// Set on every client after bootstrap.servers and client.id.
  KafkaProperties properties;
};

/// Reads the variables above. Each property is tried on a librdkafka configuration as it is read:
/// a protocol or mechanism that is not one of librdkafka's, a SASL protocol without a mechanism
/// and user, or a value librdkafka refuses is an error naming the variable (its value not shown
/// when it may be secret: passwords, secrets, keys, tokens).
KafkaClientConfig ReadKafkaClientConfig(EnvReader& env);

/// Makes `properties` those of every librdkafka client the process creates from now on. Each
/// binary's main calls it once, before its first client (tests that connect to a secured
/// cluster too).
void UseKafkaProperties(KafkaProperties properties);

/// The properties installed by UseKafkaProperties (none by default).
const KafkaProperties& InstalledKafkaProperties();

}  // namespace switchboard
