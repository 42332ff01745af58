#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "common/http_server.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace switchboard;
namespace asio = boost::asio;
namespace http = boost::beast::http;

/// A server whose handler echoes the body's size, on its own thread.
struct EchoServer {
  explicit EchoServer(std::size_t body_limit)
      : server(io, {asio::ip::make_address("127.0.0.1"), 0},
               [](HttpRequest request) -> asio::awaitable<HttpResponse> {
                 co_return MakeResponse(request, http::status::ok,
                                        std::to_string(request.body().size()));
               },
               {.body_limit = body_limit}),
        thread([this] { io.run(); }) {}
  ~EchoServer() {
    server.Stop();
    io.stop();
    thread.join();
  }
  asio::io_context io;
  HttpServer server;
  std::thread thread;
};

}  // namespace

TEST_CASE("a body above the limit is answered 413 without reaching the handler") {
  EchoServer echo(1024);
  const auto small = testing::HttpCall(echo.server.Port(), "POST", "/", std::string(1000, 'x'));
  CHECK(small.status == 200);
  CHECK(small.body == "1000");
  const auto large = testing::HttpCall(echo.server.Port(), "POST", "/", std::string(2048, 'x'));
  CHECK(large.status == 413);
}
