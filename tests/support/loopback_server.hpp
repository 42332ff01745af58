#pragma once

#include <memory>
#include <string>

#include "common/http_server.hpp"

namespace switchboard::testing {

/// An HttpServer on 127.0.0.1 with its own io_context and threads, for fakes of network services.
class LoopbackServer final {
 public:
  /// Listens at once on `port` (0: a free one) and serves with `threads` threads; throws when it
  /// cannot bind.
  LoopbackServer(HttpHandler handler, unsigned short port = 0, int threads = 1);
  /// Stops serving; requests still in progress are dropped.
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  /// The port it listens on.
  unsigned short Port() const;

  /// "http://127.0.0.1:<port>".
  std::string Url() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace switchboard::testing
