#pragma once

// Internal to the Kafka wrappers (kafka_producer.cpp, kafka_consumer.cpp): business code never
// includes librdkafka's headers.
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>

#include "common/kafka_record.hpp"

namespace switchboard {

/// Sets one librdkafka property; throws ConfigError with librdkafka's text when refused.
void SetKafkaConf(RdKafka::Conf& conf, const std::string& name, const std::string& value);

/// A global configuration with bootstrap.servers, client.id and the process's client properties
/// (security, KAFKA_CONFIG_*: common/kafka_client_config.hpp) set.
std::unique_ptr<RdKafka::Conf> NewKafkaConf(const std::string& brokers,
                                            const std::string& client_id);

/// The record a consumer received, copied out of librdkafka's message.
ConsumedRecord ToConsumedRecord(RdKafka::Message& message);

}  // namespace switchboard
