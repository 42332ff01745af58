#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace switchboard::testing {

/// A server on 127.0.0.1 that reads each HTTP/1.1 request in full and does not answer it: it
/// hangs up at once or holds the connection open without a word. For clients' handling of a
/// request that was sent but not answered (the server may have acted on it). The first
/// `answer_first` requests are answered (204, keep-alive), so that a client holds an idle
/// connection that the next request reuses.
class SilentServer final {
 public:
  enum class Then {
    kHangUp,      ///< close the connection after reading the request
    kStaySilent,  ///< keep the connection open until the client closes it
  };

  /// Listens at once on a free port, serving on its own thread; throws when it cannot bind.
  explicit SilentServer(Then then, std::size_t answer_first = 0);
  /// Stops serving and closes every connection.
  ~SilentServer();
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string Url() const;

  /// Requests read in full so far.
  std::size_t RequestsRead() const;

  /// Waits until at least `count` requests were read in full or `timeout` passed; true when
  /// they were.
  bool WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace switchboard::testing
