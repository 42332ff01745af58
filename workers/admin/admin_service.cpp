#include "workers/admin/admin_service.hpp"

#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <thread>
#include <vector>

#include "common/http_server.hpp"
#include "common/log.hpp"
#include "workers/admin/appointment_routes.hpp"
#include "workers/admin/console_routes.hpp"
#include "workers/admin/conversation_routes.hpp"
#include "workers/admin/integration_routes.hpp"
#include "workers/admin/knowledge_routes.hpp"
#include "workers/admin/service_routes.hpp"
#include "workers/admin/tenant_routes.hpp"

namespace switchboard::admin {

namespace asio = boost::asio;

namespace {

/// The route table's answer as the HTTP server's handler (a coroutine that does not suspend).
asio::awaitable<HttpResponse> Answer(const AdminRoutes& routes, HttpRequest request) {
  co_return routes.Handle(request);
}

}  // namespace

void RegisterAdminRoutes(AdminRoutes& routes, AdminServices& services) {
  RegisterTenantRoutes(routes, TenantStore(services.database));
  RegisterServiceRoutes(routes, ServiceStore(services.database));
  RegisterKnowledgeRoutes(routes, KnowledgeStore(services.database));
  RegisterAppointmentRoutes(routes, AppointmentStore(services.database));
  std::optional<MetaApp> meta;
  if (services.config.serve.meta_app_id) {
    meta = MetaApp{*services.config.serve.meta_app_id, services.config.serve.meta_app_secret,
                   services.config.serve.graph};
  }
  RegisterIntegrationRoutes(routes, IntegrationStore(services.database, services.cipher), meta,
                            HttpFetch);
  RegisterConversationRoutes(routes, ConversationStore(services.database),
                             [&producer = services.producer](const OutboundRecord& record) {
                               return producer.ProduceAndWait(std::span(&record, 1));
                             });
  RegisterOperatorRoutes(routes, {services.config.brokers, services.database, services.producer,
                                  services.registry, services.lag});
  RegisterConsoleRoutes(routes);
}

int RunAdminService(const AdminConfig& config) {
  const AdminServeOptions& options = config.serve;
  const TokenCipher cipher(config.token_encryption_keys);
  auto registry = std::make_shared<prometheus::Registry>();
  auto database = db::MakeConnectionPool({config.database_url, options.database_pool_size});
  KafkaProducer producer({.brokers = config.brokers, .client_id = "switchboard-admin"});
  // Burrow's window: a minute of samples five seconds apart.
  LagMonitor lag(config.brokers, *registry, std::chrono::seconds(5), 12);
  AdminServices services{config, *database, producer, cipher, *registry, lag};
  OpsProbe ops{[&database, &producer] {
                 return database->Ping() &&
                        producer.BrokerReachable(std::chrono::milliseconds(500));
               },
               registry};
  AdminRoutes routes(options.admin_token, MakeTenantDirectory(TenantStore(*database)), ops);
  RegisterAdminRoutes(routes, services);

  asio::io_context io(options.threads);
  HttpServer::Options http_options;
  http_options.body_limit = options.body_limit;
  // Handlers are synchronous (their database work blocks the thread that runs them); the
  // service runs ADMIN_THREADS threads so a slow request does not hold up the others.
  HttpServer server(
      io, {asio::ip::make_address(options.host), options.port},
      [&routes](HttpRequest request) { return Answer(routes, std::move(request)); }, http_options);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    Log(LogLevel::kInfo, "stopping: finishing requests in progress", {{"signal", signal}});
    server.Stop();
    StopWhenDrained(io, server, std::chrono::steady_clock::now() + std::chrono::seconds(10));
  });
  Log(LogLevel::kInfo, "admin service listening",
      {{"host", options.host},
       {"port", static_cast<int>(server.Port())},
       {"threads", options.threads}});

  std::vector<std::thread> pool;
  for (int i = 1; i < options.threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& thread : pool) thread.join();
  Log(LogLevel::kInfo, "admin service stopped");
  return 0;
}

}  // namespace switchboard::admin
