#include "common/http_server.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <list>
#include <mutex>

#include "common/log.hpp"

namespace switchboard {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpResponse MakeResponse(const HttpRequest& request, http::status status, std::string body,
                          std::string_view content_type) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "switchboard");
  response.set(http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

namespace {

/// One open connection, known to the server so that Stop() can close it when idle.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // touched only on the connection's strand
};

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io, const tcp::endpoint& endpoint, HttpHandler h, Options o)
      : io(io), acceptor(asio::make_strand(io)), handler(std::move(h)), options(o) {
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  }

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    while (!stopping) {
      try {
        tcp::socket socket =
            co_await acceptor.async_accept(asio::make_strand(io), asio::use_awaitable);
        socket.set_option(tcp::no_delay(true));
        auto connection = std::make_shared<Connection>(std::move(socket));
        {
          std::lock_guard lock(mutex);
          connections.push_back(connection);
        }
        asio::co_spawn(connection->stream.get_executor(), Serve(connection), asio::detached);
      } catch (const boost::system::system_error& e) {
        if (stopping || e.code() == asio::error::operation_aborted) break;
        Log(LogLevel::kWarning, "accept failed", {{"error", e.code().message()}});
      }
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<Connection> connection) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    try {
      while (!stopping) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        connection->stream.expires_after(options.read_timeout);
        bool too_large = false;
        try {
          co_await http::async_read(connection->stream, buffer, parser, asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
          if (e.code() != http::error::body_limit) throw;
          too_large = true;  // answered below: a catch block cannot co_await
        }
        if (too_large) {
          HttpRequest head = parser.release();
          head.keep_alive(false);
          co_await Write(*connection, MakeResponse(head, http::status::payload_too_large,
                                                   "request body too large\n"));
          break;
        }
        connection->busy = true;
        HttpRequest request = parser.release();
        const bool keep_alive = request.keep_alive();
        HttpResponse response = co_await handler(std::move(request));
        response.keep_alive(keep_alive && !stopping);
        co_await Write(*connection, std::move(response));
        connection->busy = false;
        if (!keep_alive) break;
      }
    } catch (const boost::system::system_error& e) {
      // A peer that went away or an idle connection closed by its deadline or by Stop().
      if (e.code() != http::error::end_of_stream && e.code() != asio::error::operation_aborted &&
          e.code() != beast::error::timeout && e.code() != asio::error::connection_reset) {
        Log(LogLevel::kDebug, "connection ended", {{"error", e.code().message()}});
      }
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "request handler threw", {{"error", e.what()}});
    }
    beast::error_code ignored;
    connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection->stream.close();
    std::lock_guard lock(mutex);
    connections.remove(connection);
  }

  asio::awaitable<void> Write(Connection& connection, HttpResponse response) {
    response.prepare_payload();
    connection.stream.expires_after(options.write_timeout);
    co_await http::async_write(connection.stream, response, asio::use_awaitable);
  }

  void Stop() {
    stopping = true;
    asio::post(acceptor.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor.close(ignored);
    });
    std::lock_guard lock(mutex);
    for (const auto& connection : connections) {
      asio::post(connection->stream.get_executor(), [connection] {
        if (!connection->busy) connection->stream.cancel();
      });
    }
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  HttpHandler handler;
  Options options;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::list<std::shared_ptr<Connection>> connections;
};

HttpServer::HttpServer(asio::io_context& io, const tcp::endpoint& endpoint, HttpHandler handler,
                       Options options)
    : state_(std::make_shared<State>(io, endpoint, std::move(handler), options)) {
  asio::co_spawn(state_->acceptor.get_executor(), state_->Accept(), asio::detached);
}

HttpServer::~HttpServer() {
  state_->Stop();
}

unsigned short HttpServer::Port() const {
  return state_->acceptor.local_endpoint().port();
}

void HttpServer::Stop() {
  state_->Stop();
}

std::size_t HttpServer::OpenConnections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections.size();
}

void StopWhenDrained(asio::io_context& io, HttpServer& server,
                     std::chrono::steady_clock::time_point deadline) {
  auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(20));
  timer->async_wait([&io, &server, deadline, timer](const boost::system::error_code&) {
    if (server.OpenConnections() == 0 || std::chrono::steady_clock::now() >= deadline) {
      io.stop();
    } else {
      StopWhenDrained(io, server, deadline);
    }
  });
}

}  // namespace switchboard
