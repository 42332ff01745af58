#include "common/http_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>

namespace switchboard {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxResponseBody = 64 * 1024 * 1024;
constexpr std::size_t kMaxIdlePerThread = 8;
// Servers commonly close idle keep-alive connections after 5-60 s; reusing one near that edge
// races the server's close, so idle connections older than this are dropped instead.
constexpr std::chrono::seconds kMaxIdle{4};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// One TLS client context per set of extra CAs, shared by every thread (SSL_CTX is thread-safe
/// once configured).
std::shared_ptr<ssl::context> TlsContext(const std::string& extra_ca_pem) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<ssl::context>> contexts;
  std::lock_guard lock(mutex);
  auto& context = contexts[extra_ca_pem];
  if (!context) {
    auto created = std::make_shared<ssl::context>(ssl::context::tls_client);
    created->set_default_verify_paths();
    created->set_verify_mode(ssl::verify_peer);
    if (!extra_ca_pem.empty()) created->add_certificate_authority(asio::buffer(extra_ca_pem));
    context = std::move(created);
  }
  return context;
}

/// An open connection to one scheme+host+port, plain or TLS.
struct Connection {
  std::string key;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::shared_ptr<ssl::context> tls_context;  // outlives `tls`
  Clock::time_point idle_since;
  bool reused = false;

  beast::tcp_stream& Lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  /// True when the peer has neither closed nor sent anything since the last answer.
  bool LooksAlive() {
    auto& socket = Lowest().socket();
    if (!socket.is_open()) return false;
    char byte;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

/// What each thread keeps between calls: its own io_context and its idle connections.
struct ThreadState {
  asio::io_context io;  // declared first: destroyed after the connections that use it
  std::vector<std::unique_ptr<Connection>> idle;

  ~ThreadState() {
    for (auto& connection : idle) connection->Close();
  }
};

ThreadState& ThisThread() {
  thread_local ThreadState state;
  return state;
}

/// Starts one asynchronous operation via `start(handler)` and runs the thread's io_context until
/// it completes. Deadlines come from the stream's expiry, so run() always returns.
template <typename Start>
beast::error_code RunOne(asio::io_context& io, Start&& start) {
  beast::error_code result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

/// One attempt's failure, before it becomes an HttpError.
struct Failure {
  HttpPhase phase;
  beast::error_code code;
  bool got_response_bytes = false;
  std::string detail;
  bool written = false;  // some of the request left the process
};

/// An HttpError of the kRequest phase: the request was refused before any network activity.
HttpError RequestError(std::string message) {
  return HttpError{{std::move(message), false}, HttpPhase::kRequest, false, false};
}

/// RFC 9110 9.2.2: repeating these has the effect of sending them once.
bool IsIdempotent(std::string_view method) {
  for (std::string_view idempotent : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    if (method == idempotent) return true;
  }
  return false;
}

bool IsRetryable(const Failure& failure) {
  const auto& code = failure.code;
  // Even "host not found" is retryable: without a reachable DNS server the resolver says that
  // too, and a reply dropped for a DNS blip is worse than a bounded retry of a wrong host name.
  if (failure.phase == HttpPhase::kResolve) return true;
  if (code.category() == asio::error::get_ssl_category()) {
    // A certificate that does not verify stays unverifiable; a cut-off TLS stream may not.
    const int reason = ERR_GET_REASON(static_cast<unsigned long>(code.value()));
    return reason != SSL_R_CERTIFICATE_VERIFY_FAILED;
  }
  if (code.category() == make_error_code(http::error::end_of_stream).category()) {
    // end_of_stream / partial_message: the peer hung up mid-answer; the rest is a bad response.
    return code == http::error::end_of_stream || code == http::error::partial_message;
  }
  return true;  // timeouts, refused, reset, unreachable, broken pipe, ...
}

/// The URL without its query (which may hold an access token) for error messages.
std::string Describe(const HttpClientRequest& request, const ParsedUrl& url) {
  std::string path = url.target.substr(0, url.target.find('?'));
  const bool v6 = url.host.find(':') != std::string::npos;
  return request.method + " " + url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port) + path;
}

class Exchange final {
 public:
  Exchange(const HttpClientRequest& request, const ParsedUrl& url, Clock::time_point deadline)
      : request_(request), url_(url), deadline_(deadline), state_(ThisThread()) {}

  /// Runs the request, reconnecting once when a reused connection was already closed.
  Result<HttpClientResponse, HttpError> Run() {
    http::request<http::string_body> message = BuildMessage();
    bool written = false;  // by any attempt: what the caller must know, not just the last one
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> connection = attempt == 0 ? TakeIdle() : nullptr;
      std::optional<Failure> failure;
      if (!connection) connection = Connect(failure);
      if (connection) {
        bool reusable = false;
        auto answer = Send(*connection, message, failure, reusable);
        if (answer) {
          if (reusable) {
            GiveBack(std::move(connection));
          } else {
            connection->Close();
          }
          return std::move(*answer);
        }
        connection->Close();
        written = written || failure->written;
        // Like curl: a reused connection that dies before any answer byte was most likely
        // closed by the server while idle; one fresh connection is tried (the deadline holds).
        // A request that is not idempotent is tried again only when none of it was written:
        // once some was, the server may have acted on it (a message sent), and the caller must
        // decide.
        const bool may_have_arrived = written && !IsIdempotent(request_.method);
        if (connection->reused && !failure->got_response_bytes && attempt == 0 &&
            failure->code != beast::error::timeout && !may_have_arrived) {
          continue;
        }
      }
      const bool timed_out = failure->code == beast::error::timeout;
      std::string message_text = Describe(request_, url_) + ": " +
                                 std::string(PhaseName(failure->phase)) + ": " +
                                 (timed_out ? std::string("timed out") : failure->code.message());
      if (!failure->detail.empty()) message_text += " (" + failure->detail + ")";
      return HttpError{
          {std::move(message_text), IsRetryable(*failure)}, failure->phase, timed_out, written};
    }
  }

 private:
  std::string Key() const {
    return url_.scheme + "://" + url_.host + ":" + std::to_string(url_.port) + "#" +
           std::to_string(std::hash<std::string>{}(request_.extra_ca_pem));
  }

  Clock::duration Remaining() const {
    return std::max<Clock::duration>(deadline_ - Clock::now(), std::chrono::milliseconds(1));
  }

  http::request<http::string_body> BuildMessage() const {
    http::request<http::string_body> message{http::string_to_verb(request_.method), url_.target,
                                             11};
    if (message.method() == http::verb::unknown) message.method_string(request_.method);
    const bool default_port =
        (url_.scheme == "http" && url_.port == 80) || (url_.scheme == "https" && url_.port == 443);
    std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
    if (!default_port) host += ":" + std::to_string(url_.port);
    message.set(http::field::host, host);
    message.set(http::field::user_agent, "switchboard");
    for (const auto& [name, value] : request_.headers) message.set(name, value);
    message.body() = request_.body;
    if (!request_.body.empty() || message.method() == http::verb::post ||
        message.method() == http::verb::put || message.method() == http::verb::patch) {
      message.prepare_payload();
    }
    return message;
  }

  std::unique_ptr<Connection> TakeIdle() {
    const std::string key = Key();
    auto& idle = state_.idle;
    for (auto it = idle.begin(); it != idle.end();) {
      const bool stale = Clock::now() - (*it)->idle_since > kMaxIdle || !(*it)->LooksAlive();
      if (stale) {
        (*it)->Close();
        it = idle.erase(it);
        continue;
      }
      if ((*it)->key == key) {
        auto connection = std::move(*it);
        idle.erase(it);
        connection->reused = true;
        return connection;
      }
      ++it;
    }
    return nullptr;
  }

  void GiveBack(std::unique_ptr<Connection> connection) {
    auto& idle = state_.idle;
    if (idle.size() >= kMaxIdlePerThread) {
      idle.front()->Close();
      idle.erase(idle.begin());
    }
    connection->idle_since = Clock::now();
    idle.push_back(std::move(connection));
  }

  std::unique_ptr<Connection> Connect(std::optional<Failure>& failure) {
    auto& io = state_.io;
    std::vector<tcp::endpoint> endpoints;
    beast::error_code ec;
    const auto address = asio::ip::make_address(url_.host, ec);
    const bool is_literal = !ec;
    if (is_literal) {
      endpoints.emplace_back(address, url_.port);
    } else {
      // The system resolver has its own timeouts; the timer only stops waiting for a late answer.
      tcp::resolver resolver(io);
      asio::steady_timer timer(io, Remaining());
      bool timed_out = false;
      timer.async_wait([&](beast::error_code wait_ec) {
        if (!wait_ec) {
          timed_out = true;
          resolver.cancel();
        }
      });
      tcp::resolver::results_type results;
      ec = RunOne(io, [&](auto handler) {
        resolver.async_resolve(url_.host, std::to_string(url_.port),
                               [&results, handler, &timer](beast::error_code resolve_ec,
                                                           tcp::resolver::results_type r) mutable {
                                 timer.cancel();
                                 results = std::move(r);
                                 handler(resolve_ec);
                               });
      });
      if (timed_out) ec = beast::error::timeout;
      if (ec) {
        failure = Failure{HttpPhase::kResolve, ec};
        return nullptr;
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    auto connection = std::make_unique<Connection>();
    connection->key = Key();
    if (url_.scheme == "https") {
      connection->tls_context = TlsContext(request_.extra_ca_pem);
      connection->tls =
          std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *connection->tls_context);
    } else {
      connection->plain = std::make_unique<beast::tcp_stream>(io);
    }
    auto& lowest = connection->Lowest();
    lowest.expires_after(Remaining());
    ec = RunOne(io, [&](auto handler) { lowest.async_connect(endpoints, handler); });
    if (ec) {
      failure = Failure{HttpPhase::kConnect, ec};
      return nullptr;
    }
    beast::error_code ignored;
    lowest.socket().set_option(tcp::no_delay(true), ignored);

    if (connection->tls) {
      auto& tls = *connection->tls;
      if (!is_literal) {
        // SNI carries host names only (RFC 6066), never address literals.
        if (!SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str())) {
          failure =
              Failure{HttpPhase::kTlsHandshake, beast::error_code(static_cast<int>(ERR_get_error()),
                                                                  asio::error::get_ssl_category())};
          return nullptr;
        }
      }
      tls.set_verify_callback(ssl::host_name_verification(url_.host));
      lowest.expires_after(Remaining());
      ec =
          RunOne(io, [&](auto handler) { tls.async_handshake(ssl::stream_base::client, handler); });
      if (ec) {
        failure = Failure{HttpPhase::kTlsHandshake, ec};
        const long verify = SSL_get_verify_result(tls.native_handle());
        if (verify != X509_V_OK) {
          failure->detail = X509_verify_cert_error_string(verify);
          // OpenSSL reports a failed verification as a generic handshake failure; mark it so
          // IsRetryable sees it for what it is.
          failure->code = beast::error_code(
              static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED)),
              asio::error::get_ssl_category());
        }
        return nullptr;
      }
    }
    return connection;
  }

  std::optional<HttpClientResponse> Send(Connection& connection,
                                         http::request<http::string_body>& message,
                                         std::optional<Failure>& failure, bool& reusable) {
    if (connection.tls) return SendOn(*connection.tls, connection, message, failure, reusable);
    return SendOn(*connection.plain, connection, message, failure, reusable);
  }

  template <typename Stream>
  std::optional<HttpClientResponse> SendOn(Stream& stream, Connection& connection,
                                           http::request<http::string_body>& message,
                                           std::optional<Failure>& failure, bool& reusable) {
    auto& io = state_.io;
    auto& lowest = connection.Lowest();
    lowest.expires_after(Remaining());
    std::size_t sent = 0;
    beast::error_code ec = RunOne(io, [&](auto handler) {
      http::async_write(stream, message,
                        [&sent, handler](beast::error_code write_ec, std::size_t n) mutable {
                          sent = n;
                          handler(write_ec);
                        });
    });
    if (ec) {
      failure = Failure{HttpPhase::kWrite, ec};
      // Over plain TCP the count is exact. Asio's TLS stream reports 0 for a failed write even
      // when records already reached the socket, so there any failed write counts as written.
      failure->written = sent > 0 || connection.tls != nullptr;
      return std::nullopt;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    if (message.method() == http::verb::head) parser.skip(true);
    lowest.expires_after(Remaining());
    ec = RunOne(io, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
    if (ec == ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
      // A TLS peer that ends an until-close body without close_notify: the body is complete.
      ec = {};
      parser.put_eof(ec);
    }
    if (ec) {
      failure = Failure{HttpPhase::kRead, ec, parser.got_some()};
      failure->written = true;
      return std::nullopt;
    }
    lowest.expires_never();

    auto& response = parser.get();
    HttpClientResponse answer;
    answer.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    answer.body = std::move(response.body());
    // Leftover bytes would be an unasked-for answer: such a connection is not reused.
    reusable = response.keep_alive() && !parser.need_eof() && buffer.size() == 0;
    return answer;
  }

  const HttpClientRequest& request_;
  const ParsedUrl& url_;
  Clock::time_point deadline_;
  ThreadState& state_;
};

}  // namespace

std::string_view PhaseName(HttpPhase phase) {
  switch (phase) {
    case HttpPhase::kRequest:
      return "request";
    case HttpPhase::kResolve:
      return "resolve";
    case HttpPhase::kConnect:
      return "connect";
    case HttpPhase::kTlsHandshake:
      return "tls handshake";
    case HttpPhase::kWrite:
      return "write";
    case HttpPhase::kRead:
      return "read";
  }
  return "?";
}

std::optional<std::string> HttpClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

Result<ParsedUrl> ParseUrl(std::string_view url) {
  auto bad = [&](const char* why) { return Error{"bad URL (" + std::string(why) + ")", false}; };
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("no scheme");
  ParsedUrl parsed;
  parsed.scheme = Lower(url.substr(0, scheme_end));
  if (parsed.scheme == "http") {
    parsed.port = 80;
  } else if (parsed.scheme == "https") {
    parsed.port = 443;
  } else {
    return bad("scheme is not http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("control or space");
  }

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after IPv6 literal");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
    beast::error_code ec;
    asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return bad("invalid IPv6 literal");
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
        return bad("invalid character in host");
      }
    }
  }
  if (host.empty()) return bad("no host");
  parsed.host = Lower(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("invalid port");
    }
    parsed.port = static_cast<unsigned short>(value);
  }
  // The fragment never goes on the wire.
  target = target.substr(0, target.find('#'));
  if (target.empty() || target.front() == '?') {
    parsed.target = "/" + std::string(target);
  } else {
    parsed.target = std::string(target);
  }
  return parsed;
}

Result<HttpClientResponse, HttpError> HttpFetch(const HttpClientRequest& request) {
  auto url = ParseUrl(request.url);
  if (!url) return RequestError(url.error().message);
  if (request.timeout <= std::chrono::milliseconds::zero()) {
    return RequestError("HttpFetch: timeout must be positive");
  }
  for (const auto& [name, value] : request.headers) {
    // A CR or LF would let a value smuggle another header or request onto the wire.
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos || name.empty()) {
      return RequestError("HttpFetch: invalid header " +
                          name.substr(0, name.find_first_of("\r\n")));
    }
  }
  if (request.method.empty() ||
      !std::all_of(request.method.begin(), request.method.end(),
                   [](char c) { return std::isupper(static_cast<unsigned char>(c)); })) {
    return RequestError("HttpFetch: invalid method");
  }
  Exchange exchange(request, *url, Clock::now() + request.timeout);
  return exchange.Run();
}

std::optional<std::chrono::seconds> RetryAfter(const HttpClientResponse& response) {
  const auto value = response.Header("Retry-After");
  if (!value) return std::nullopt;
  std::string_view text = *value;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

Result<std::string> PostJsonApi(std::string_view what, const std::string& url,
                                const std::string& api_key, std::chrono::milliseconds timeout,
                                std::string body,
                                std::optional<std::chrono::seconds>* retry_after) {
  HttpClientRequest request;
  request.method = "POST";
  request.url = url;
  request.timeout = timeout;
  request.body = std::move(body);
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!api_key.empty()) request.headers.emplace_back("Authorization", "Bearer " + api_key);
  auto response = HttpFetch(request);
  const std::string name(what);
  if (!response.ok()) {
    return Error{name + " request failed: " + response.error().message, response.error().retryable};
  }
  const int status = response->status;
  if (status == 200) return std::move(response).value().body;
  const bool retryable = status == 429 || status >= 500;
  if (retryable && retry_after != nullptr) *retry_after = RetryAfter(*response);
  // The start of the server's answer (an upstream message, never our request).
  constexpr std::size_t kSnippet = 200;
  return Error{
      name + " answered HTTP " + std::to_string(status) + ": " + response->body.substr(0, kSnippet),
      retryable};
}

}  // namespace switchboard
