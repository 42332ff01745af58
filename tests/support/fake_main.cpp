#include "tests/support/fake_main.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <exception>

#include "common/log.hpp"

namespace switchboard::testing {

int FakeMain(const char* failure, const std::function<int()>& run) {
  try {
    return run();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, failure, {{"error", e.what()}});
    return 1;
  }
}

void WaitForStopSignal() {
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([](const boost::system::error_code&, int signal) {
    Log(LogLevel::kInfo, "stopping", {{"signal", signal}});
  });
  io.run();
}

}  // namespace switchboard::testing
