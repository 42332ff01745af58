#include "tests/support/loopback_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

namespace switchboard::testing {

namespace asio = boost::asio;

struct LoopbackServer::State {
  State(HttpHandler handler, unsigned short port, int threads)
      : io(threads),
        server(io, {asio::ip::make_address("127.0.0.1"), port}, std::move(handler),
               HttpServer::Options{}) {
    for (int i = 0; i < threads; ++i) pool.emplace_back([this] { io.run(); });
  }

  ~State() {
    server.Stop();
    work.reset();
    io.stop();
    for (std::thread& thread : pool) thread.join();
  }

  asio::io_context io;  // first: outlives the server and the handlers it holds
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  HttpServer server;
  std::vector<std::thread> pool;
};

LoopbackServer::LoopbackServer(HttpHandler handler, unsigned short port, int threads)
    : state_(std::make_unique<State>(std::move(handler), port, threads < 1 ? 1 : threads)) {}

LoopbackServer::~LoopbackServer() = default;

unsigned short LoopbackServer::Port() const {
  return state_->server.Port();
}

std::string LoopbackServer::Url() const {
  return "http://127.0.0.1:" + std::to_string(Port());
}

}  // namespace switchboard::testing
