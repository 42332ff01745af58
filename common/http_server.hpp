#pragma once

#include <utility>  // before Asio 1.18's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace switchboard {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Answers one request. Runs on the connection's strand; may suspend (e.g. to wait for Kafka).
using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest)>;

/// A response with `status`, a content type and a body, keep-alive as the request asked.
HttpResponse MakeResponse(const HttpRequest& request, boost::beast::http::status status,
                          std::string body, std::string_view content_type = "text/plain");

/// An HTTP/1.1 server with keep-alive: it only moves bytes; `handler` decides every answer.
/// Each connection runs on its own strand, every read and write has a deadline, and each request
/// gets a fresh parser with a body limit (413 above it).
class HttpServer final {
 public:
  struct Options {
    std::size_t body_limit = 4 * 1024 * 1024;
    std::chrono::milliseconds read_timeout{30000};
    std::chrono::milliseconds write_timeout{30000};
  };

  /// Binds and listens at once (port 0 picks a free port); throws when it cannot bind.
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
             HttpHandler handler, Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The port it listens on.
  unsigned short Port() const;

  /// Stops accepting and closes idle connections; requests in progress are answered, then their
  /// connections close. Thread-safe.
  void Stop();

  /// Connections still open.
  std::size_t OpenConnections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Waits until every connection of `server` has closed or `deadline` passed, then stops `io`:
/// the end of a graceful stop, after server.Stop().
void StopWhenDrained(boost::asio::io_context& io, HttpServer& server,
                     std::chrono::steady_clock::time_point deadline);

}  // namespace switchboard
