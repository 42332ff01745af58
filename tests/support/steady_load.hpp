#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace switchboard::testing {

class FakeGraphApi;

/// WhatsApp texts posted to ingest at a steady rate across many conversations, the way Meta
/// delivers them: a conversation's next message only once the previous one was acknowledged (200),
/// and a delivery that was not acknowledged (a 503, a refused connection) posted again after a
/// pause, with the same message id. Message k of a conversation says "m<k>"; with the fake LLM's
/// echo its reply says "You said: m<k>", which is how SteadyLoad::Report matches replies at the
/// fake Graph API back to the webhooks.
struct SteadyLoadOptions {
  /// The WhatsApp phone_number_id of the tenant.
  std::string phone_number_id;
  int conversations = 40;
  double messages_per_second = 5;
  /// Threads posting; each owns every senders-th conversation.
  int senders = 8;
  std::chrono::milliseconds retry_pause{500};
};

/// What became of the messages of one SteadyLoad run, and how long replies took around events.
struct LoadReport {
  struct EventFigures {
    std::string event;
    double at_seconds = 0;  ///< since the load started
    std::size_t messages = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
  };

  std::size_t posted = 0;        ///< distinct messages posted at least once
  std::size_t acknowledged = 0;  ///< messages ingest answered 200
  std::size_t answered = 0;      ///< acknowledged messages with a reply at the fake Graph API
  std::size_t lost = 0;          ///< acknowledged messages without a reply
  std::size_t duplicated = 0;    ///< replies beyond the first for one message
  std::size_t out_of_order = 0;  ///< replies that came before an earlier message's reply
  std::size_t unexpected = 0;    ///< replies to the load's customers that match no message
  std::size_t refused = 0;       ///< answers other than 200 (each one posted again)
  std::size_t unreachable = 0;   ///< posts whose connection failed (each one posted again)
  /// Webhook (the acknowledged post) to reply at the fake Graph API, sorted.
  std::vector<double> latencies_ms;
  /// For each Mark: the messages acknowledged in the window after it and their latency.
  std::vector<EventFigures> events;
  /// The first problems found (lost, duplicated, out of order), for a failing test's reader.
  std::vector<std::string> problems;

  /// The latency at quantile q (0..1) of `latencies_ms`; 0 without samples.
  double Quantile(double q) const;
  /// A readable summary: the counts, the overall p50/p99 and one line per event.
  std::string Summary(const std::string& title) const;
};

/// Posts in the background from construction until Stop.
class SteadyLoad final {
 public:
  /// Posts one webhook body; throws when the connection fails.
  using Post = std::function<HttpResult(const std::string& body)>;

  SteadyLoad(SteadyLoadOptions options, Post post);
  ~SteadyLoad();
  SteadyLoad(const SteadyLoad&) = delete;
  SteadyLoad& operator=(const SteadyLoad&) = delete;

  /// Notes that `event` happens now (a node stopped, a stage restarted); Report gives the latency
  /// of the messages acknowledged in the `window` after it.
  void Mark(const std::string& event, std::chrono::milliseconds window = std::chrono::seconds(10));
  /// Stops posting; a message waiting to be posted again is given up (it was never acknowledged).
  void Stop();
  /// Messages acknowledged so far.
  std::size_t Acknowledged() const;
  /// Answers other than 200 so far.
  std::size_t Refused() const;
  /// Waits until the fake Graph API received a reply for every acknowledged message or `timeout`
  /// passed (after Stop); true when it did.
  bool WaitForReplies(const FakeGraphApi& graph, std::chrono::milliseconds timeout) const;
  /// Matches the replies `graph` received to the messages (after Stop).
  LoadReport Report(const FakeGraphApi& graph) const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Message {
    std::string wa_id;
    int seq = 0;
    Clock::time_point acknowledged_post;  ///< when the post that got 200 was sent
    bool acknowledged = false;
  };
  struct Event {
    std::string name;
    Clock::time_point at;
    std::chrono::milliseconds window;
  };

  void Send(int sender);

  SteadyLoadOptions options_;
  Post post_;
  std::string run_;
  Clock::time_point started_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<Message> messages_;
  std::vector<Event> events_;
  std::size_t refused_ = 0;
  std::size_t unreachable_ = 0;
  std::vector<std::thread> senders_;  // last: they use the members above
};

}  // namespace switchboard::testing
