#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace switchboard {

/// One outbound HTTP/1.1 request (the LLM, embeddings, the Meta Graph API).
struct HttpClientRequest {
  std::string method = "GET";
  /// http://host[:port]/path?query or https://...; IPv4 literals, [IPv6] literals, host names.
  std::string url;
  /// Sent as given after the defaults (Host, User-Agent), replacing a default of the same name.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Deadline for the whole call: connect, TLS handshake, write and read, and one reconnect.
  std::chrono::milliseconds timeout{30000};
  /// Extra trusted CA certificates (PEM) added to the system store for https; empty: system only.
  std::string extra_ca_pem;
};

/// The answer of a server. Any HTTP status is a response, not an error.
struct HttpClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first value of header `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

/// The parts of an http(s) URL that a request needs.
struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6 literals
  unsigned short port = 0;
  std::string target;  // path and query, "/" at least
};

/// Splits `url` into scheme, host, port and target; an Error (not retryable) when malformed,
/// when the scheme is not http/https, or when it carries user info or a fragment-only target.
Result<ParsedUrl> ParseUrl(std::string_view url);

/// Sends `request` and waits for the whole answer, blocking the calling thread until it arrives
/// or the request's timeout passes. Keeps a few idle keep-alive connections per thread (keyed by
/// scheme, host and port) and reconnects once when a reused connection turns out to be closed.
/// HTTPS verifies the peer against the system trust store and the host name, and sends SNI.
/// Errors: resolve and connect failures, resets, timeouts and other transport failures are
/// retryable; bad URLs, failed certificate checks and malformed responses are not. Never logs
/// header values, and error messages leave out the URL's query.
Result<HttpClientResponse> HttpFetch(const HttpClientRequest& request);

/// The Retry-After header in its delay-seconds form, or nullopt (absent, or an HTTP date).
std::optional<std::chrono::seconds> RetryAfter(const HttpClientResponse& response);

}  // namespace switchboard
