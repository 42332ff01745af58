#include "tests/bench/load.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace switchboard::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// The machine's CPU time counters so far: the first line of /proc/stat (user, nice, system,
/// idle, iowait, irq, softirq, steal, ...), in clock ticks; empty when unreadable.
std::vector<long long> CpuTicks() {
  std::ifstream stat("/proc/stat");
  std::string label;
  stat >> label;
  std::vector<long long> ticks;
  for (long long value = 0; label == "cpu" && ticks.size() < 8 && stat >> value;) {
    ticks.push_back(value);
  }
  return ticks;
}

CpuShares SharesBetween(const std::vector<long long>& before, const std::vector<long long>& after) {
  if (before.size() != 8 || after.size() != 8) return {};
  long long total = 0;
  for (std::size_t i = 0; i < 8; ++i) total += after[i] - before[i];
  if (total <= 0) return {};
  const auto percent = [&](std::size_t i) { return 100.0 * (after[i] - before[i]) / total; };
  return {.idle = percent(3), .steal = percent(7)};
}

/// The CPU time the machine spent working (user, nice, system, irq, softirq: not idle, waiting
/// for I/O or stolen), in clock ticks; -1 when unreadable.
long long BusyTicks(const std::vector<long long>& ticks) {
  if (ticks.size() != 8) return -1;
  return ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6];
}

/// User plus system time of process `pid` ("self" for this one) in clock ticks; -1 when
/// unreadable.
long long ProcessTicks(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return -1;
  // After the command name (in parentheses, may hold spaces): state, then utime and stime as the
  // 12th and 13th fields.
  std::istringstream fields(line.substr(line.rfind(')') + 1));
  std::string field;
  for (int i = 0; i < 11; ++i) fields >> field;
  long long user = 0;
  long long system = 0;
  if (!(fields >> user >> system)) return -1;
  return user + system;
}

/// What the machine, this process and the server had spent so far, in clock ticks.
struct Spent {
  std::vector<long long> machine;
  long long client;
  long long server;  ///< -1 without a server pid
};

Spent SpentSoFar(int server_pid) {
  return {.machine = CpuTicks(),
          .client = ProcessTicks("self"),
          .server = server_pid != 0 ? ProcessTicks(std::to_string(server_pid)) : -1};
}

CpuPerRequest CostBetween(const Spent& before, const Spent& after, std::size_t requests) {
  CpuPerRequest cost;
  if (requests == 0 || before.client < 0 || after.client < 0) return cost;
  const double ms_per_tick = 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto per_request = [&](long long ticks) {
    return static_cast<double>(ticks) * ms_per_tick / static_cast<double>(requests);
  };
  const long long client = after.client - before.client;
  cost.client_ms = per_request(client);
  const long long busy_before = BusyTicks(before.machine);
  const long long busy_after = BusyTicks(after.machine);
  if (before.server < 0 || after.server < 0 || busy_before < 0 || busy_after < 0) return cost;
  const long long server = after.server - before.server;
  cost.server_ms = per_request(server);
  cost.rest_ms = per_request(std::max(0LL, busy_after - busy_before - client - server));
  return cost;
}

}  // namespace

double LoadFigures::Quantile(double q) const {
  if (latencies_ms.empty()) return 0;
  const auto index = static_cast<std::size_t>(q * static_cast<double>(latencies_ms.size() - 1));
  return latencies_ms[index];
}

LoadFigures RunLoad(unsigned short port, int connections, std::chrono::milliseconds duration,
                    double rate_per_second, const std::function<PlannedRequest(std::size_t)>& next,
                    int server_pid) {
  using Clock = std::chrono::steady_clock;
  std::atomic<std::size_t> sequence{0};
  std::mutex mutex;
  LoadFigures figures;
  const Spent before = SpentSoFar(server_pid);
  const auto start = Clock::now();
  const auto end = start + duration;
  const auto interval = rate_per_second > 0
                            ? std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(connections / rate_per_second))
                            : Clock::duration::zero();

  auto client = [&](int index) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.socket().set_option(asio::ip::tcp::no_delay(true));
    beast::flat_buffer buffer;
    std::vector<double> latencies;
    std::size_t ok = 0;
    std::size_t failed = 0;
    // Paced connections start spread over one interval, so the offered load is smooth.
    auto due = start + interval * index / std::max(connections, 1);
    while (Clock::now() < end) {
      if (interval != Clock::duration::zero()) {
        std::this_thread::sleep_until(due);
        due += interval;
      }
      const PlannedRequest planned = next(sequence++);
      http::request<http::string_body> request{http::verb::post, planned.target, 11};
      request.set(http::field::host, "127.0.0.1");
      for (const auto& [name, value] : planned.headers) request.set(name, value);
      request.body() = planned.body;
      request.prepare_payload();
      const auto sent = Clock::now();
      http::write(stream, request);
      http::response<http::string_body> response;
      http::read(stream, buffer, response);
      const auto received = Clock::now();
      if (response.result_int() == 200) {
        ++ok;
        latencies.push_back(std::chrono::duration<double, std::milli>(received - sent).count());
      } else {
        ++failed;
      }
    }
    std::lock_guard lock(mutex);
    figures.ok += ok;
    figures.failed += failed;
    figures.latencies_ms.insert(figures.latencies_ms.end(), latencies.begin(), latencies.end());
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) threads.emplace_back(client, i);
  for (auto& thread : threads) thread.join();
  figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const Spent after = SpentSoFar(server_pid);
  figures.cpu = SharesBetween(before.machine, after.machine);
  figures.cost = CostBetween(before, after, figures.ok);
  std::sort(figures.latencies_ms.begin(), figures.latencies_ms.end());
  return figures;
}

double PeakRssMiB(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

}  // namespace switchboard::bench
