#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/stage_runtime.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard {

class KafkaProducer;

/// Everything a worker stage process is configured with. FromEnvironment() reads it:
///   KAFKA_BROKERS (required), KAFKA_GROUP_ID ("switchboard-<stage>"), MAX_IN_FLIGHT (64),
///   COMMIT_INTERVAL_MS (1000), RETRY_BASE_MS (200), RETRY_MAX_MS (30000), RETRY_MAX_ATTEMPTS (0 =
///   retry transient failures forever), DRAIN_TIMEOUT_MS (10000), KAFKA_STATISTICS_INTERVAL_MS
///   (5000), KAFKA_SESSION_TIMEOUT_MS (45000), KAFKA_DELIVERY_TIMEOUT_MS (10000), KAFKA_DEBUG
///   (empty; librdkafka debug contexts), STAGE_HTTP_HOST (127.0.0.1), STAGE_HTTP_PORT (0 = a free
///   port, logged), LOG_LEVEL (info).
struct StageOptions {
  /// Stage name, input topics, brokers and the consumer's tuning; group "switchboard-<stage>".
  StageRuntime::Options runtime;
  /// The producer's acknowledgement deadline (dead letters and the stage's own records).
  std::chrono::milliseconds delivery_timeout{10000};
  std::string http_host = "127.0.0.1";
  unsigned short http_port = 0;
  std::string log_level = "info";
};

/// The options of stage `stage` reading `topics`, from the environment (see StageOptions).
/// Throws ConfigError naming the variable that is missing or invalid.
StageOptions FromEnvironment(const std::string& stage, std::vector<std::string> topics);

/// What a stage's handler may share with the runtime while it is being built.
struct StageContext {
  const StageOptions& options;
  /// The process's producer (also writes the dead letters); lives until after the last handler.
  KafkaProducer& producer;
  /// The registry /metrics serves; the stage may add its own metrics.
  prometheus::Registry& registry;
  /// Set to add a check to /readyz (e.g. the database answers); empty means no extra check.
  std::function<bool()> ready;
};

/// Builds the stage's handler once the producer and registry exist.
using HandlerFactory = std::function<RecordHandler(StageContext& context)>;

/// Runs a stage process until SIGTERM/SIGINT: builds the producer, the StageRuntime with the
/// handler `make_handler` returns, and an HTTP server with /healthz, /readyz and /metrics; on a
/// signal drains, commits and leaves the group. Returns the exit code: 0 after a signal, 1 after
/// a fatal error (logged). Throws ConfigError when the configuration is refused.
int RunStage(const StageOptions& options, const HandlerFactory& make_handler);

/// RunStage for a handler that needs nothing from the context.
int RunStage(const StageOptions& options, RecordHandler handler);

/// A stage's whole main(): FromEnvironment(stage, topics), then RunStage; returns 2 after a
/// configuration error, 1 after another failure (both logged), 0 after a signal.
int StageMain(const std::string& stage, std::vector<std::string> topics,
              const HandlerFactory& make_handler);

}  // namespace switchboard
