#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

/// One Kafka record header. Names used by every topic: event-id, schema, tenant, trace-id.
struct Header {
  std::string name;
  std::string value;
};

/// The value of the first header called `name`, if any.
std::optional<std::string_view> FindHeader(const std::vector<Header>& headers,
                                           std::string_view name);

/// A record to produce.
struct OutboundRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<Header> headers;
};

/// A record as a consumer received it.
struct ConsumedRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  std::int64_t timestamp_ms = 0;
};

}  // namespace switchboard
