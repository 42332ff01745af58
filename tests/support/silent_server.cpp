#include "tests/support/silent_server.hpp"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace switchboard::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct SilentServer::State {
  State(Then then, std::size_t answer_first) : then(then), answer_first(answer_first) {
    asio::co_spawn(io, Accept(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }

  ~State() {
    io.stop();
    thread.join();
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(io, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      co_await http::async_read(socket, buffer, request, asio::use_awaitable);
      std::size_t number = 0;
      {
        std::lock_guard lock(mutex);
        number = ++requests_read;
      }
      read_one.notify_all();
      if (number <= answer_first) {
        http::response<http::empty_body> answer{http::status::no_content, request.version()};
        answer.keep_alive(true);
        co_await http::async_write(socket, answer, asio::use_awaitable);
        continue;
      }
      if (then == Then::kHangUp) {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        co_return;
      }
      // kStaySilent: the next read ends (with an error, thrown) when the client closes.
    }
  }

  const Then then;
  const std::size_t answer_first;
  asio::io_context io;  // before the acceptor and the sockets of the connections it serves
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  const unsigned short port = acceptor.local_endpoint().port();
  std::mutex mutex;
  std::condition_variable read_one;
  std::size_t requests_read = 0;  // guarded by `mutex`
  std::thread thread;             // last: runs `io` over the members above
};

SilentServer::SilentServer(Then then, std::size_t answer_first)
    : state_(std::make_unique<State>(then, answer_first)) {}

SilentServer::~SilentServer() = default;

std::string SilentServer::Url() const {
  return "http://127.0.0.1:" + std::to_string(state_->port);
}

std::size_t SilentServer::RequestsRead() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests_read;
}

bool SilentServer::WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->read_one.wait_for(lock, timeout, [&] { return state_->requests_read >= count; });
}

}  // namespace switchboard::testing
