#pragma once

// The operator routes of the admin service (issue 12), platform token only:
//   GET  /v1/ops/lag[?group=G]   consumer lag with the status over the monitor's window
//   GET  /v1/ops/dlq[?stage=S]   pending dead letters
//   GET  /v1/ops/dlq/{id}        one dead letter with its status
//   POST /v1/ops/dlq/redrive     {"stage":S,"ids":[...]} or {"stage":S,"all":true}
//   POST /v1/ops/dlq/purge       the same
// The JSON is that of `switchboard-admin lag|dlq --json`. Gauges on /metrics:
// switchboard_group_lag_records and switchboard_group_lag_seconds {group,topic,partition},
// switchboard_group_status {group} (0 OK, 1 LAGGING, 2 STALLED, 3 STOPPED),
// switchboard_dead_letters_pending {stage,topic} (at the last listing) and the counter
// switchboard_dead_letter_actions_total {stage,action}.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/db_pool.hpp"
#include "common/kafka_producer.hpp"
#include "workers/admin/admin_routes.hpp"
#include "workers/admin/lag_status.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::admin {

/// Samples every group's lag every `interval` on a thread of its own, keeps a LagWindow of
/// `window` samples, and sets the lag gauges.
class LagMonitor final {
 public:
  LagMonitor(std::string brokers, prometheus::Registry& registry,
             std::chrono::milliseconds interval, std::size_t window);
  /// Stops the sampling thread.
  ~LagMonitor();
  LagMonitor(const LagMonitor&) = delete;
  LagMonitor& operator=(const LagMonitor&) = delete;

  /// The latest sample, statuses over the window; takes one now when none was taken yet.
  /// Throws std::runtime_error when the broker does not answer.
  std::vector<GroupLag> Latest();

 private:
  struct Gauges;
  void Sample();
  void Loop(std::chrono::milliseconds interval);

  std::string brokers_;
  std::unique_ptr<Gauges> gauges_;
  std::atomic<bool> stopping_{false};  // also cancels a sample in progress
  std::mutex mutex_;                   // guards everything below
  std::condition_variable wake_;
  LagWindow window_;
  std::optional<std::vector<GroupLag>> latest_;
  std::mutex sampling_;  // one sample at a time
  std::thread thread_;   // last: it uses the members above
};

/// What the operator routes use; everything outlives the routes.
struct OperatorServices {
  std::string brokers;
  db::ConnectionPool& database;
  KafkaProducer& producer;
  prometheus::Registry& registry;
  LagMonitor& lag;
};

/// Registers the routes above on `routes`.
void RegisterOperatorRoutes(AdminRoutes& routes, OperatorServices services);

}  // namespace switchboard::admin
