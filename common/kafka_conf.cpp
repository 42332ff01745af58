#include "common/kafka_conf.hpp"

#include "common/config.hpp"
#include "common/kafka_client_config.hpp"

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
  for (const auto& [name, value] : InstalledKafkaProperties()) SetKafkaConf(*conf, name, value);
  return conf;
}

ConsumedRecord ToConsumedRecord(RdKafka::Message& message) {
  ConsumedRecord record;
  record.topic = message.topic_name();
  record.partition = message.partition();
  record.offset = message.offset();
  if (message.key_pointer() != nullptr) {
    record.key.assign(static_cast<const char*>(message.key_pointer()), message.key_len());
  }
  if (message.payload() != nullptr) {
    record.value.assign(static_cast<const char*>(message.payload()), message.len());
  }
  record.timestamp_ms = message.timestamp().timestamp;
  if (RdKafka::Headers* headers = message.headers()) {  // owned by the message
    for (const RdKafka::Headers::Header& header : headers->get_all()) {
      std::string value;
      if (header.value() != nullptr) {
        value.assign(static_cast<const char*>(header.value()), header.value_size());
      }
      record.headers.push_back({header.key(), std::move(value)});
    }
  }
  return record;
}

}  // namespace switchboard
