#include "common/kafka_conf.hpp"

#include "common/config.hpp"

namespace switchboard {

void SetKafkaConf(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string error;
  if (conf.set(name, value, error) != RdKafka::Conf::CONF_OK) {
    throw ConfigError("Kafka property " + name + ": " + error);
  }
}

std::unique_ptr<RdKafka::Conf> NewKafkaConf(const std::string& brokers,
                                            const std::string& client_id) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  SetKafkaConf(*conf, "bootstrap.servers", brokers);
  SetKafkaConf(*conf, "client.id", client_id);
  return conf;
}

}  // namespace switchboard
