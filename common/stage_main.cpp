#include "common/stage_main.hpp"

#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
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

using std::chrono::milliseconds;

constexpr milliseconds kHour{3600000};

asio::awaitable<HttpResponse> AnswerOps(HttpRequest request, const OpsProbe* probe) {
  if (auto response = OpsResponse(request, *probe)) co_return std::move(*response);
  co_return MakeResponse(request, http::status::not_found, "not found\n");
}

}  // namespace

StageOptions ReadStageOptions(EnvReader& env, const std::string& stage,
                              std::vector<std::string> topics) {
  StageOptions options;
  StageRuntime::Options& runtime = options.runtime;
  runtime.stage = stage;
  runtime.topics = std::move(topics);
  KafkaClientConfig kafka = ReadKafkaClientConfig(env);
  runtime.brokers = std::move(kafka.brokers);
  options.kafka_properties = std::move(kafka.properties);
  runtime.group_id = env.String("KAFKA_GROUP_ID", {"switchboard-" + stage, "switchboard-<stage>"});
  runtime.max_in_flight = static_cast<int>(env.Integer("MAX_IN_FLIGHT", 64, 1, 1024));
  runtime.commit_interval =
      env.Millis("COMMIT_INTERVAL_MS", runtime.commit_interval, milliseconds(0), kHour);
  runtime.retry.base = env.Millis("RETRY_BASE_MS", runtime.retry.base, milliseconds(1), kHour);
  runtime.retry.max = env.Millis("RETRY_MAX_MS", runtime.retry.max, milliseconds(1), kHour);
  if (runtime.retry.max < runtime.retry.base) {
    env.Fail("RETRY_MAX_MS must not be below RETRY_BASE_MS");
  }
  runtime.retry_max_attempts = static_cast<int>(env.Integer("RETRY_MAX_ATTEMPTS", 0, 0, 1000000));
  runtime.drain_timeout =
      env.Millis("DRAIN_TIMEOUT_MS", runtime.drain_timeout, milliseconds(0), kHour);
  runtime.statistics_interval = env.Millis("KAFKA_STATISTICS_INTERVAL_MS",
                                           runtime.statistics_interval, milliseconds(0), kHour);
  // librdkafka's own bounds of session.timeout.ms.
  runtime.session_timeout =
      env.Millis("KAFKA_SESSION_TIMEOUT_MS", runtime.session_timeout, milliseconds(1), kHour);
  runtime.assignment_strategy = env.OneOf("KAFKA_ASSIGNMENT_STRATEGY", runtime.assignment_strategy,
                                          {"cooperative-sticky", "roundrobin", "range"});
  runtime.kafka_debug = env.String("KAFKA_DEBUG", "");
  options.delivery_timeout =
      env.Millis("KAFKA_DELIVERY_TIMEOUT_MS", options.delivery_timeout, milliseconds(1), kHour);
  options.http_host = env.String("STAGE_HTTP_HOST", options.http_host);
  boost::system::error_code address_error;
  asio::ip::make_address(options.http_host, address_error);
  if (address_error) {
    env.Fail("STAGE_HTTP_HOST must be an IP address, got '" + options.http_host + "'");
  }
  options.http_port = static_cast<unsigned short>(env.Integer("STAGE_HTTP_PORT", 0, 0, 65535));
  options.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warning", "error"});
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
              const std::function<void(EnvReader&)>& read_own, const HandlerFactory& make_handler) {
  ConfigureLog(stage, "info");
  try {
    EnvReader env;
    const StageOptions options = ReadStageOptions(env, stage, std::move(topics));
    if (read_own) read_own(env);
    env.Check();
    ConfigureLog(stage, options.log_level);
    LogConfiguration(env.Variables());
    UseKafkaProperties(options.kafka_properties);
    return RunStage(options, make_handler);
  } catch (const ConfigError& e) {
    Log(LogLevel::kError, "configuration error", {{"error", e.what()}});
    return 2;
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "stage failed", {{"error", e.what()}});
    return 1;
  }
}

int StageMain(const std::string& stage, std::vector<std::string> topics,
              const HandlerFactory& make_handler) {
  return StageMain(stage, std::move(topics), nullptr, make_handler);
}

}  // namespace switchboard
