#include "tests/bench/load.hpp"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/quantile.hpp"

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
  return testing::SortedQuantile(latencies_ms, q);
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

namespace {

constexpr int kAdminTimeoutMs = 15000;

struct KafkaDeleter {
  void operator()(rd_kafka_t* client) const { rd_kafka_destroy(client); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};
using EventHandle = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> AdminOptions(rd_kafka_t* client,
                                                                           rd_kafka_admin_op_t op) {
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> options(
      rd_kafka_AdminOptions_new(client, op));
  char error[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), kAdminTimeoutMs, error,
                                                sizeof error) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(error);
  }
  return options;
}

/// The result event of the admin request sent to `queue`; throws when it failed or none came.
EventHandle AdminResult(rd_kafka_queue_t* queue, const std::string& what) {
  EventHandle event(rd_kafka_queue_poll(queue, kAdminTimeoutMs + 1000));
  if (!event) throw std::runtime_error(what + ": no answer");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": " + rd_kafka_event_error_string(event.get()));
  }
  return event;
}

}  // namespace

std::vector<std::string> CompetingConsumerGroups(const std::string& brokers,
                                                 const std::vector<std::string>& topics) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : std::vector<std::pair<const char*, std::string>>{
           {"bootstrap.servers", brokers}, {"client.id", "switchboard-bench-check"}}) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(error);
    }
  }
  std::unique_ptr<rd_kafka_t, KafkaDeleter> client(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error));
  if (!client) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new takes it only on success
    throw std::runtime_error(error);
  }
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(client.get()));

  // Groups with members (not Empty or Dead), then what each member holds.
  const auto list_options = AdminOptions(client.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  rd_kafka_ListConsumerGroups(client.get(), list_options.get(), queue.get());
  const EventHandle listed = AdminResult(queue.get(), "listing consumer groups");
  const auto* list_result = rd_kafka_event_ListConsumerGroups_result(listed.get());
  std::size_t count = 0;
  const rd_kafka_error_t** errors = rd_kafka_ListConsumerGroups_result_errors(list_result, &count);
  if (count > 0) {
    throw std::runtime_error(std::string("listing consumer groups: ") +
                             rd_kafka_error_string(errors[0]));
  }
  const rd_kafka_ConsumerGroupListing_t** listings =
      rd_kafka_ListConsumerGroups_result_valid(list_result, &count);
  std::vector<std::string> candidates;
  for (std::size_t i = 0; i < count; ++i) {
    const auto state = rd_kafka_ConsumerGroupListing_state(listings[i]);
    if (state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY ||
        state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD ||
        rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listings[i])) {
      continue;
    }
    candidates.emplace_back(rd_kafka_ConsumerGroupListing_group_id(listings[i]));
  }
  if (candidates.empty()) return {};

  std::vector<const char*> names;
  for (const std::string& name : candidates) names.push_back(name.c_str());
  const auto describe_options =
      AdminOptions(client.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  rd_kafka_DescribeConsumerGroups(client.get(), names.data(), names.size(), describe_options.get(),
                                  queue.get());
  const EventHandle described = AdminResult(queue.get(), "describing consumer groups");
  const rd_kafka_ConsumerGroupDescription_t** groups =
      rd_kafka_DescribeConsumerGroups_result_groups(
          rd_kafka_event_DescribeConsumerGroups_result(described.get()), &count);
  const std::set<std::string> wanted(topics.begin(), topics.end());
  std::vector<std::string> competing;
  for (std::size_t g = 0; g < count; ++g) {
    const rd_kafka_ConsumerGroupDescription_t* group = groups[g];
    const std::string id = rd_kafka_ConsumerGroupDescription_group_id(group);
    if (const rd_kafka_error_t* failed = rd_kafka_ConsumerGroupDescription_error(group)) {
      throw std::runtime_error("describing consumer group " + id + ": " +
                               rd_kafka_error_string(failed));
    }
    const std::size_t members = rd_kafka_ConsumerGroupDescription_member_count(group);
    if (members == 0) continue;
    std::set<std::string> held;
    std::string who;
    for (std::size_t m = 0; m < members; ++m) {
      const rd_kafka_MemberDescription_t* member =
          rd_kafka_ConsumerGroupDescription_member(group, m);
      who += std::string(who.empty() ? "" : ", ") + rd_kafka_MemberDescription_client_id(member) +
             " at " + rd_kafka_MemberDescription_host(member);
      const rd_kafka_MemberAssignment_t* assignment = rd_kafka_MemberDescription_assignment(member);
      const rd_kafka_topic_partition_list_t* partitions =
          assignment ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
      for (int p = 0; partitions != nullptr && p < partitions->cnt; ++p) {
        if (wanted.count(partitions->elems[p].topic) > 0) held.insert(partitions->elems[p].topic);
      }
    }
    const auto state = rd_kafka_ConsumerGroupDescription_state(group);
    const bool rebalancing = state == RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE ||
                             state == RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE;
    if (held.empty() && !(rebalancing && id.rfind("switchboard-", 0) == 0)) continue;
    std::string line = id + " (" + rd_kafka_consumer_group_state_name(state) + "; " +
                       std::to_string(members) + (members == 1 ? " member: " : " members: ") + who +
                       ")";
    if (held.empty()) {
      line += " is rebalancing";
    } else {
      line += " consumes";
      for (const std::string& topic : held) line += " " + topic;
    }
    competing.push_back(std::move(line));
  }
  return competing;
}

void RefuseCompetingConsumers(const char* program, const std::string& brokers,
                              const std::vector<std::string>& topics) {
  std::vector<std::string> groups;
  try {
    groups = CompetingConsumerGroups(brokers, topics);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot ask the broker at %s which consumer groups run: %s\n", program,
                 brokers.c_str(), e.what());
    std::exit(1);
  }
  if (groups.empty()) return;
  const char* state = std::getenv("SWITCHBOARD_STATE");
  std::fprintf(stderr,
               "%s: refusing to run: other consumers read the topics this benchmark's stages "
               "consume\n(at %s): they would take its messages, and it would wait minutes for "
               "replies\nthat never come:\n",
               program, brokers.c_str());
  for (const std::string& group : groups) {
    std::fprintf(stderr, "  consumer group %s\n", group.c_str());
  }
  const std::string pids =
      std::string(state != nullptr && *state != '\0' ? state : ".switchboard") + "/<stage>.pid";
  std::fprintf(stderr,
               "Stop them first: the demo's stages with compose/local/down (which stops its broker "
               "and\ndatabase too), or one by one:\n  kill $(cat %s)\nOr run the benchmark "
               "against another state's env file (KAFKA_BROKERS, DATABASE_URL,\n"
               "DATABASE_OWNER_URL). A consumer killed without leaving its group stays listed "
               "until\nits session times out (KAFKA_SESSION_TIMEOUT_MS, 45 s by default).\n",
               pids.c_str());
  std::exit(2);
}

}  // namespace switchboard::bench
