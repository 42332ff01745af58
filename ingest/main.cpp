// switchboard-ingest: Meta and Vapi webhooks in, normalized records to Kafka out; Vapi tool calls
// answered with the tools stage's results from tools.results.
#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <thread>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "ingest/ingest_config.hpp"
#include "ingest/meta_routes.hpp"
#include "ingest/tool_results_listener.hpp"
#include "ingest/vapi_routes.hpp"
#include "ingest/voice_directory_store.hpp"

namespace {

using namespace switchboard;
namespace asio = boost::asio;

int Run() {
  ConfigureLog("ingest", "info");
  EnvReader env;
  const ingest::IngestConfig config = ingest::ReadIngestConfig(env);
  env.Check();
  ConfigureLog("ingest", config.log_level);
  LogConfiguration(env.Variables());
  UseKafkaProperties(config.kafka_properties);
  const ingest::IngestSettings& settings = config.settings;
  const int threads = config.threads;
  HttpServer::Options http_options;
  http_options.body_limit = config.body_limit;

  // Declared first, destroyed last: delivery reports that arrive while the producer flushes in its
  // destructor still post to it.
  asio::io_context io(threads);
  KafkaProducer producer({.brokers = config.brokers,
                          .client_id = "switchboard-ingest",
                          .delivery_timeout = settings.ack_timeout,
                          .linger = config.linger,
                          .reports_on = &io});
  auto registry = std::make_shared<prometheus::Registry>();
  ingest::VoiceDirectory directory;
  ingest::VoiceDirectoryRefresher refresher(config.database_url, config.voice_refresh, directory,
                                            *registry);
  ingest::ToolCallWaiters waiters;
  ingest::ToolResultsListener listener(config.brokers, config.vapi.instance_id, waiters, *registry);
  // Results of tool calls made from now on must reach this instance: wait for its partitions.
  if (!listener.WaitUntilReady(std::chrono::seconds(30))) {
    Log(LogLevel::kWarning, "tools.results not assigned yet; not ready until it is");
  }
  OpsProbe ops{[&producer, &listener] {
                 return listener.Ready() &&
                        producer.BrokerReachable(std::chrono::milliseconds(500));
               },
               registry};
  ingest::IngestRoutes routes(
      settings,
      [&producer](const OutboundRecord& record, DeliveryCallback done) {
        producer.Produce(record, std::move(done));
      },
      ops);
  ingest::VapiRoutes vapi(
      config.vapi, directory, waiters,
      [&routes](const std::vector<OutboundRecord>& records) { return routes.ProduceAll(records); },
      *registry);
  routes.Mount("/webhooks/vapi",
               [&vapi](const HttpRequest& request) { return vapi.Handle(request); });
  if (config.vapi.auth.secrets.empty() && config.vapi.auth.hmac_secrets.empty()) {
    Log(LogLevel::kWarning,
        "neither VAPI_SECRET nor VAPI_HMAC_SECRET is set: every request to "
        "/webhooks/vapi is refused");
  }

  HttpServer server(
      io, {asio::ip::make_address(config.host), config.port},
      [&routes](HttpRequest request) { return routes.Handle(std::move(request)); }, http_options);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    Log(LogLevel::kInfo, "stopping: finishing requests in progress", {{"signal", signal}});
    server.Stop();
    StopWhenDrained(
        io, server,
        std::chrono::steady_clock::now() + settings.ack_timeout + std::chrono::seconds(2));
  });
  Log(LogLevel::kInfo, "ingest listening",
      {{"host", config.host}, {"port", static_cast<int>(server.Port())}, {"threads", threads}});

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& thread : pool) thread.join();
  const int left = producer.Flush(settings.ack_timeout);
  Log(LogLevel::kInfo, "ingest stopped", {{"unacknowledged_records", left}});
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const ConfigError& e) {
    Log(LogLevel::kError, "configuration error", {{"error", e.what()}});
    return 2;
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "ingest failed", {{"error", e.what()}});
    return 1;
  }
}
