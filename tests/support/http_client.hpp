#pragma once

#include <string>
#include <utility>
#include <vector>

namespace switchboard::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// One blocking HTTP/1.1 request to 127.0.0.1:`port` on a new connection (connection: close).
/// Throws when the connection fails.
HttpResult HttpCall(unsigned short port, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

/// The Meta signature header value for `body` signed with `secret` ("sha256=<hex>").
std::string MetaSignature(const std::string& secret, const std::string& body);

}  // namespace switchboard::testing
