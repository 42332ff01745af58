#include "common/stage_main.hpp"

#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <limits>
#include <memory>
#include <thread>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "common/ops_routes.hpp"

namespace switchboard {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

int EnvIntIn(const char* name, std::int64_t fallback, std::int64_t low, std::int64_t high) {
  const std::int64_t value = EnvInt(name, fallback);
  if (value < low || value > high) {
    throw ConfigError(std::string(name) + " must be between " + std::to_string(low) + " and " +
                      std::to_string(high) + ", got " + std::to_string(value));
  }
  return static_cast<int>(value);
}

std::chrono::milliseconds PositiveMillis(const char* name, std::chrono::milliseconds fallback) {
  const std::chrono::milliseconds value = EnvMillis(name, fallback);
  if (value.count() < 0) throw ConfigError(std::string(name) + " must not be negative");
  return value;
}

asio::awaitable<HttpResponse> AnswerOps(HttpRequest request, const OpsProbe* probe) {
  if (auto response = OpsResponse(request, *probe)) co_return std::move(*response);
  co_return MakeResponse(request, http::status::not_found, "not found\n");
}

}  // namespace

StageOptions FromEnvironment(const std::string& stage, std::vector<std::string> topics) {
  StageOptions options;
  StageRuntime::Options& runtime = options.runtime;
  runtime.stage = stage;
  runtime.topics = std::move(topics);
  runtime.brokers = RequiredEnv("KAFKA_BROKERS");
  runtime.group_id = EnvOr("KAFKA_GROUP_ID", "");
  runtime.max_in_flight = EnvIntIn("MAX_IN_FLIGHT", 64, 1, 1024);
  runtime.commit_interval = PositiveMillis("COMMIT_INTERVAL_MS", runtime.commit_interval);
  runtime.retry.base = PositiveMillis("RETRY_BASE_MS", runtime.retry.base);
  runtime.retry.max = PositiveMillis("RETRY_MAX_MS", runtime.retry.max);
  if (runtime.retry.max < runtime.retry.base) {
    throw ConfigError("RETRY_MAX_MS must not be below RETRY_BASE_MS");
  }
  runtime.retry_max_attempts =
      EnvIntIn("RETRY_MAX_ATTEMPTS", 0, 0, std::numeric_limits<int>::max());
  runtime.drain_timeout = PositiveMillis("DRAIN_TIMEOUT_MS", runtime.drain_timeout);
  runtime.statistics_interval =
      PositiveMillis("KAFKA_STATISTICS_INTERVAL_MS", runtime.statistics_interval);
  runtime.session_timeout = PositiveMillis("KAFKA_SESSION_TIMEOUT_MS", runtime.session_timeout);
  runtime.kafka_debug = EnvOr("KAFKA_DEBUG", "");
  options.delivery_timeout = PositiveMillis("KAFKA_DELIVERY_TIMEOUT_MS", options.delivery_timeout);
  options.http_host = EnvOr("STAGE_HTTP_HOST", options.http_host);
  options.http_port = static_cast<unsigned short>(EnvIntIn("STAGE_HTTP_PORT", 0, 0, 65535));
  options.log_level = EnvOr("LOG_LEVEL", options.log_level);
  return options;
}

int RunStage(const StageOptions& options, const HandlerFactory& make_handler) {
  const std::string& stage = options.runtime.stage;
  ConfigureLog(stage, options.log_level);
  KafkaProducer producer({.brokers = options.runtime.brokers,
                          .client_id = "switchboard-" + stage,
                          .delivery_timeout = options.delivery_timeout});
  auto registry = std::make_shared<prometheus::Registry>();
  StageContext context{options, producer, *registry, {}};
  RecordHandler handler = make_handler(context);
  StageRuntime runtime(options.runtime, std::move(handler), producer, *registry);

  const OpsProbe probe{
      [&runtime, &context] { return runtime.Ready() && (!context.ready || context.ready()); },
      registry};
  asio::io_context io(1);
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(options.http_host, address_error);
  if (address_error)
    throw ConfigError("STAGE_HTTP_HOST is not an IP address: " + options.http_host);
  HttpServer server(io, {address, options.http_port},
                    [&probe](HttpRequest request) { return AnswerOps(std::move(request), &probe); },
                    {});
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&runtime](const boost::system::error_code& error, int signal) {
    if (error) return;
    Log(LogLevel::kInfo, "stopping: draining records in flight", {{"signal", signal}});
    runtime.Stop();
  });
  Log(LogLevel::kInfo, "stage ops listening",
      {{"host", options.http_host}, {"port", static_cast<int>(server.Port())}});
  std::thread ops([&io] { io.run(); });

  int code = 0;
  try {
    runtime.Run();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "stage failed", {{"error", e.what()}});
    code = 1;
  }
  server.Stop();
  io.stop();
  ops.join();
  const int left = producer.Flush(options.delivery_timeout);
  if (left > 0) Log(LogLevel::kError, "records left unacknowledged", {{"records", left}});
  return code;
}

int RunStage(const StageOptions& options, RecordHandler handler) {
  return RunStage(options, [&handler](StageContext&) { return std::move(handler); });
}

int StageMain(const std::string& stage, std::vector<std::string> topics,
              const HandlerFactory& make_handler) {
  try {
    return RunStage(FromEnvironment(stage, std::move(topics)), make_handler);
  } catch (const ConfigError& e) {
    Log(LogLevel::kError, "configuration error", {{"error", e.what()}});
    return 2;
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "stage failed", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace switchboard
