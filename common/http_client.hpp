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

/// Where in an exchange an HttpFetch failed.
enum class HttpPhase {
  kRequest,       ///< checking the request (URL, headers, method, timeout): nothing was tried
  kResolve,       ///< looking up the host name
  kConnect,       ///< opening the TCP connection
  kTlsHandshake,  ///< the TLS handshake, certificate and host name checks included
  kWrite,         ///< sending the request
  kRead,          ///< waiting for and reading the answer; the request was sent in full
};

/// The phase's name as error messages spell it ("connect", "tls handshake", ...).
std::string_view PhaseName(HttpPhase phase);

/// An HttpFetch failure. `message` is for people (it never holds the URL's query); decisions read
/// the typed members. `retryable` says whether the same request may succeed later (timeouts,
/// refused, reset, DNS); it does not say whether repeating it is harmless: `request_written` does.
struct HttpError : Error {
  HttpPhase phase = HttpPhase::kRequest;
  /// The call's deadline passed (in `phase`).
  bool timed_out = false;
  /// At least one byte of the request left this process (in any attempt, the one reconnect
  /// included), so the server may have acted on it: a POST may have taken effect. False only
  /// when nothing was sent. A failed write over TLS counts as written, because the TLS stream
  /// reports no byte count for a write that fails.
  bool request_written = false;
};

/// Sends `request` and waits for the whole answer, blocking the calling thread until it arrives
/// or the request's timeout passes. Keeps a few idle keep-alive connections per thread (keyed by
/// scheme, host and port) and reconnects once when a reused connection turns out to be closed,
/// unless the request is not idempotent (POST, PATCH) and some of it was already written.
/// HTTPS verifies the peer against the system trust store and the host name, and sends SNI.
/// Errors: resolve and connect failures, resets, timeouts and other transport failures are
/// retryable; bad requests and URLs, failed certificate checks and malformed responses are not.
/// Never logs header values, and error messages leave out the URL's query.
Result<HttpClientResponse, HttpError> HttpFetch(const HttpClientRequest& request);

/// A JSON POST to an OpenAI-compatible API (chat completions, embeddings), with
/// "Authorization: Bearer <api_key>" when `api_key` is not empty. The body of a 200 answer, else an
/// Error whose message starts with `what` ("LLM", "embeddings"): retryable for a retryable
/// transport failure, a 429 or a 5xx (whose Retry-After goes to `retry_after` when given), not for
/// other statuses. Error messages hold the start of the server's body, never the request's.
Result<std::string> PostJsonApi(std::string_view what, const std::string& url,
                                const std::string& api_key, std::chrono::milliseconds timeout,
                                std::string body,
                                std::optional<std::chrono::seconds>* retry_after = nullptr);

/// The Retry-After header in its delay-seconds form, or nullopt (absent, or an HTTP date).
std::optional<std::chrono::seconds> RetryAfter(const HttpClientResponse& response);

}  // namespace switchboard
