#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http_server.hpp"

namespace switchboard::testing {

class LoopbackServer;

/// One request as a fake service received it.
struct RecordedRequest {
  std::string method;
  std::string path;  // the request target: path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::steady_clock::time_point arrived;

  /// The first value of header `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

/// An answer a test scripts in advance; used once, in order, before the default answers.
struct ScriptedAnswer {
  int status = 200;
  std::string body;
  /// Sent as Retry-After (seconds) when set.
  std::optional<int> retry_after_seconds;
  /// Waited (on a timer, not a blocking sleep) before answering.
  std::chrono::milliseconds delay{0};

  /// A Graph API error answer: {"error":{"message","type":"OAuthException","code",
  /// "error_subcode"?,"fbtrace_id"}} with HTTP `status`.
  static ScriptedAnswer GraphError(int status, int code, std::string message,
                                   std::optional<int> subcode = std::nullopt);
};

/// A fake Meta Graph API on 127.0.0.1 speaking the real wire format. By default it answers
/// WhatsApp sends (`POST /{version}/{phone_number_id}/messages` with messaging_product whatsapp)
/// with {"messaging_product","contacts":[{"input","wa_id"}],"messages":[{"id":"wamid.fake-N"}]}
/// and Messenger/Instagram sends (`POST /{version}/me/messages` or a page id, with recipient.id)
/// with {"recipient_id","message_id":"m_fake-N"}; malformed sends get a Graph error 400 (code
/// 100), other paths 404. Every request is recorded, scripted ones included.
class FakeGraphApi final {
 public:
  struct Options {
    unsigned short port = 0;
    /// When set, each request is appended to this file as one JSON line {method, path, headers,
    /// body}; Authorization values are written as "<redacted>".
    std::string log_path;
  };

  /// Listens at once on its own thread; throws when it cannot bind or open the log file.
  FakeGraphApi();
  explicit FakeGraphApi(Options options);
  ~FakeGraphApi();
  FakeGraphApi(const FakeGraphApi&) = delete;
  FakeGraphApi& operator=(const FakeGraphApi&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string Url() const;

  /// The port it listens on.
  unsigned short Port() const;

  /// Queues `answer` for the next request that has no scripted answer yet.
  void Script(ScriptedAnswer answer);

  /// Every request received so far, in arrival order.
  std::vector<RecordedRequest> Requests() const;

  /// Waits until at least `count` requests arrived or `timeout` passed; true when they did.
  bool WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  boost::asio::awaitable<HttpResponse> Handle(HttpRequest request);
  std::pair<int, std::string> DefaultAnswer(const HttpRequest& request);
  void AppendToLog(const RecordedRequest& recorded);

  Options options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<RecordedRequest> requests_;
  std::deque<ScriptedAnswer> script_;
  std::size_t next_id_ = 0;
  std::string instance_;
  std::mutex log_mutex_;
  std::ofstream log_;
  std::unique_ptr<LoopbackServer> server_;  // last: its handler uses the members above
};

}  // namespace switchboard::testing
