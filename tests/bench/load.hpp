#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace switchboard::bench {

/// Where the machine's CPU time went while a run lasted (/proc/stat), in percent: idle, and
/// stolen by the hypervisor for other guests. Figures taken under steal are not comparable with
/// figures taken without; -1 when unreadable.
struct CpuShares {
  double idle = -1;
  double steal = -1;
};

/// CPU time spent during a run, in milliseconds per successful request: by this process (the
/// load generator), by the server under test, and by everything else on the machine (for ingest:
/// the Kafka broker). -1 when unreadable.
struct CpuPerRequest {
  double client_ms = -1;
  double server_ms = -1;
  double rest_ms = -1;
};

/// What one load run measured.
struct LoadFigures {
  double seconds = 0;
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::vector<double> latencies_ms;  ///< of successful requests, sorted
  CpuShares cpu;
  CpuPerRequest cost;  ///< server_ms and rest_ms only when RunLoad was given the server's pid

  double Rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  /// The latency at quantile `q` (0..1) in milliseconds; 0 without samples.
  double Quantile(double q) const;
};

/// One HTTP request to send: target, body, extra headers.
struct PlannedRequest {
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Sends requests over `connections` keep-alive connections to 127.0.0.1:`port` for `duration`.
/// `rate_per_second` 0 sends as fast as each connection can (closed loop); otherwise each
/// connection paces itself to its share of the rate. `next(i)` gives the i-th request.
/// `server_pid`, when not 0, is the process under test, whose CPU time is accounted apart.
LoadFigures RunLoad(unsigned short port, int connections, std::chrono::milliseconds duration,
                    double rate_per_second, const std::function<PlannedRequest(std::size_t)>& next,
                    int server_pid = 0);

/// The peak resident set (VmHWM) of process `pid` in MiB, or -1 when unreadable.
double PeakRssMiB(int pid);

/// The consumer groups at `brokers` that would take a benchmark's records from `topics`: groups
/// with members holding partitions of them (such as the stages compose/local/up started), and
/// "switchboard-*" groups with members in a rebalance (no assignment to tell yet). One line
/// each: the group, its state, its members' client ids and hosts. Throws std::runtime_error when
/// the broker does not answer within 15 s.
std::vector<std::string> CompetingConsumerGroups(const std::string& brokers,
                                                 const std::vector<std::string>& topics);

/// Before a benchmark starts stages of its own: when CompetingConsumerGroups finds any (their
/// stages would answer the benchmark's messages, which it then waits minutes for), prints them
/// and what to do to stderr and exits with 2; when the broker cannot be asked, exits with 1.
void RefuseCompetingConsumers(const char* program, const std::string& brokers,
                              const std::vector<std::string>& topics);

}  // namespace switchboard::bench
