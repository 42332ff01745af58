// Ingest throughput and acknowledgement latency against a bare Beast endpoint on the same
// machine, in one run. Not a test: it prints figures and ratios, and never fails on timing.
//
//   ingest_bench [--connections N] [--seconds S]     (KAFKA_BROKERS: a broker with the topics;
//                                                     INGEST_LINGER_MS, when set, goes to ingest)
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "tests/bench/load.hpp"
#include "tests/support/http_client.hpp"

extern char** environ;

namespace {

using namespace switchboard;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace http = boost::beast::http;

constexpr char kSecret[] = "bench-secret";
constexpr int kServerThreads = 2;

unsigned short FreePort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

void WaitHealthy(unsigned short port) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (testing::HttpCall(port, "GET", "/healthz").status == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("server on port " + std::to_string(port) + " never became healthy");
}

/// The baseline: the same server code answering 200 with no work, in its own process.
pid_t StartBareServer(unsigned short port) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  asio::io_context io(kServerThreads);
  HttpServer server(io, {asio::ip::make_address("127.0.0.1"), port},
                    [](HttpRequest request) -> asio::awaitable<HttpResponse> {
                      co_return MakeResponse(request, http::status::ok, "EVENT_RECEIVED");
                    },
                    {});
  std::thread other([&io] { io.run(); });
  io.run();
  other.join();
  _exit(0);
}

pid_t StartIngest(const std::string& binary, unsigned short port, const std::string& brokers) {
  std::vector<std::string> variables = {"KAFKA_BROKERS=" + brokers,
                                        std::string("META_APP_SECRET=") + kSecret,
                                        "META_VERIFY_TOKEN=bench",
                                        "INGEST_PORT=" + std::to_string(port),
                                        "INGEST_THREADS=" + std::to_string(kServerThreads),
                                        "LOG_LEVEL=warning"};
  if (const char* linger = std::getenv("INGEST_LINGER_MS")) {
    variables.push_back(std::string("INGEST_LINGER_MS=") + linger);
  }
  std::vector<char*> envp;
  for (auto& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);
  std::string path = binary;
  char* argv[] = {path.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, envp.data()) != 0) {
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(errno));
  }
  return pid;
}

int Stop(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Signed single-message WhatsApp deliveries, each with its own message id.
bench::PlannedRequest Delivery(std::size_t i) {
  const std::string id = std::to_string(i);
  std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"PN-bench"},"contacts":[{"profile":{"name":"Bench"},"wa_id":"49151)" +
      std::to_string(i % 1000) + R"("}],"messages":[{"from":"49151)" + std::to_string(i % 1000) +
      R"(","id":"wamid.bench-)" + id +
      R"(","timestamp":"1700000000","type":"text","text":{"body":"Hello, do you have a slot tomorrow?"}}]}}]}]})";
  std::string signature = testing::MetaSignature(kSecret, body);
  return {"/webhooks/meta",
          std::move(body),
          {{"X-Hub-Signature-256", std::move(signature)}, {"Content-Type", "application/json"}}};
}

void Print(const char* name, const bench::LoadFigures& figures) {
  std::printf(
      "%-34s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  ok %zu  failed %zu  (cpu idle %.0f%%, "
      "stolen %.0f%%)\n",
      name, figures.Rate(), figures.Quantile(0.50), figures.Quantile(0.99), figures.ok,
      figures.failed, figures.cpu.idle, figures.cpu.steal);
  std::printf("%-34s CPU ms per request: client %.4f, server %.4f, rest of the machine %.4f\n", "",
              figures.cost.client_ms, figures.cost.server_ms, figures.cost.rest_ms);
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 8;
  int seconds = 10;
  std::string ingest = SWITCHBOARD_BINARY_DIR "/ingest/switchboard-ingest";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--connections") connections = std::stoi(argv[i + 1]);
    if (flag == "--seconds") seconds = std::stoi(argv[i + 1]);
    if (flag == "--ingest") ingest = argv[i + 1];
  }
  const std::string brokers = RequiredEnv("KAFKA_BROKERS");
  const auto duration = std::chrono::milliseconds(seconds * 1000);
  std::printf("ingest_bench: %d connections, %d s per run, %d server threads, %u cores\n",
              connections, seconds, kServerThreads, std::thread::hardware_concurrency());

  const unsigned short bare_port = FreePort();
  const pid_t bare = StartBareServer(bare_port);
  WaitHealthy(bare_port);
  bench::RunLoad(bare_port, connections, 1s, 0, Delivery);  // warm-up
  const auto baseline = bench::RunLoad(bare_port, connections, duration, 0, Delivery, bare);
  Stop(bare);

  const unsigned short ingest_port = FreePort();
  const pid_t server = StartIngest(ingest, ingest_port, brokers);
  WaitHealthy(ingest_port);
  bench::RunLoad(ingest_port, connections, 2s, 0, Delivery);  // warm-up: connections, metadata
  const auto peak = bench::RunLoad(ingest_port, connections, duration, 0, Delivery, server);
  const double half_rate = peak.Rate() / 2;
  const auto paced =
      bench::RunLoad(ingest_port, connections, duration, half_rate, Delivery, server);
  const double rss = bench::PeakRssMiB(server);
  const int exit_code = Stop(server);

  Print("(a) bare Beast endpoint", baseline);
  Print("(b) ingest, closed loop", peak);
  char label[64];
  std::snprintf(label, sizeof label, "(b) ingest at %.0f req/s offered", half_rate);
  Print(label, paced);
  const double ratio = peak.Rate() / std::max(baseline.Rate(), 1.0);
  std::printf("ratio b/a: %.2f (target >= 0.60)\n", ratio);
  std::printf("ack p99 at half of b's peak: %.2f ms (target < 10 ms)\n", paced.Quantile(0.99));
  std::printf("ingest peak RSS: %.1f MiB (target < 150 MB)\n", rss);
  std::printf("ingest exit code after SIGTERM: %d\n", exit_code);
  return 0;
}
