#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/config.hpp"
#include "common/kafka_client_config.hpp"
#include "common/stage_runtime.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard {

class KafkaProducer;

/// The part of its configuration every worker stage process shares. ReadStageOptions() reads it
/// (variables, defaults and ranges: there, and the README's configuration table).
struct StageOptions {
  /// Stage name, input topics, brokers and the consumer's tuning; group "switchboard-<stage>".
  StageRuntime::Options runtime;
  /// The producer's acknowledgement deadline (dead letters and the stage's own records).
  std::chrono::milliseconds delivery_timeout{10000};
  std::string http_host = "127.0.0.1";
  unsigned short http_port = 0;
  std::string log_level = "info";
  /// KAFKA_SECURITY_PROTOCOL, ... (common/kafka_client_config.hpp), installed before the clients.
  KafkaProperties kafka_properties;
};

/// The options of stage `stage` reading `topics`, read through `env` (problems are collected in
/// it: see common/config.hpp).
StageOptions ReadStageOptions(EnvReader& env, const std::string& stage,
                              std::vector<std::string> topics);

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

/// A stage's whole main(): reads the stage's whole configuration from the process's environment
/// with one EnvReader (ReadStageOptions, then `read_own` for the stage's own part, when set),
/// logs it in one "configuration" line with secrets masked, then RunStage. Returns 2 after a
/// configuration error (logged, naming every bad variable), 1 after another failure (logged), 0
/// after a signal.
int StageMain(const std::string& stage, std::vector<std::string> topics,
              const std::function<void(EnvReader&)>& read_own, const HandlerFactory& make_handler);

/// StageMain for a stage with no configuration of its own.
int StageMain(const std::string& stage, std::vector<std::string> topics,
              const HandlerFactory& make_handler);

/// StageMain for a stage whose own configuration `Own` is read by `read_own` (the function its
/// tests and the README table test call too) and handed to `make_handler`.
template <typename Own>
int StageMain(const std::string& stage, std::vector<std::string> topics,
              Own (*read_own)(EnvReader&),
              const std::type_identity_t<std::function<RecordHandler(StageContext&, const Own&)>>&
                  make_handler) {
  std::optional<Own> own;
  return StageMain(
      stage, std::move(topics), [&own, read_own](EnvReader& env) { own = read_own(env); },
      [&own, &make_handler](StageContext& context) { return make_handler(context, *own); });
}

}  // namespace switchboard
