#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "ingest/tool_call_waiters.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::ingest {

/// Brings this ingest instance's tool results back: a consumer of tools.results in a consumer
/// group of its own ("switchboard-ingest-<instance id>", so every replica reads every partition),
/// starting at the end and committing nothing, on a thread of its own. A record whose reply-to
/// header names another instance is skipped unparsed; one of this instance goes to `waiters`. A
/// result nobody waits for any more (past its deadline) is logged and dropped. Counted in
/// switchboard_vapi_tool_results_total{outcome}.
///
/// Why a group per instance rather than a partition per instance: replicas come and go without
/// repartitioning the topic, and a tool result is a few hundred bytes that every replica can
/// afford to skip by a header.
class ToolResultsListener final {
 public:
  ToolResultsListener(std::string brokers, std::string instance_id, ToolCallWaiters& waiters,
                      prometheus::Registry& registry);
  /// Stops the thread and leaves the group.
  ~ToolResultsListener();
  ToolResultsListener(const ToolResultsListener&) = delete;
  ToolResultsListener& operator=(const ToolResultsListener&) = delete;

  /// Whether partitions are assigned (results produced from now on reach this instance).
  bool Ready() const;

  /// Waits up to `timeout` for Ready().
  bool WaitUntilReady(std::chrono::milliseconds timeout) const;

 private:
  struct Metrics;

  void Run();

  std::string brokers_;
  std::string instance_id_;
  ToolCallWaiters& waiters_;
  std::unique_ptr<Metrics> metrics_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::thread thread_;  // last: it runs on this object
};

}  // namespace switchboard::ingest
