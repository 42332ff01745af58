#include "common/kafka_record.hpp"

namespace switchboard {

std::optional<std::string_view> FindHeader(const std::vector<Header>& headers,
                                           std::string_view name) {
  for (const Header& header : headers) {
    if (header.name == name) return std::string_view(header.value);
  }
  return std::nullopt;
}

}  // namespace switchboard
