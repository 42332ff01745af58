// Webhook-to-reply overhead of the whole pipeline with an LLM that answers at once: every stage
// as its real binary, the broker and database from the environment (tests/run's or up's env
// file), a fake Graph API that timestamps each reply. Not a test: it prints figures.
//
//   pipeline_bench [--seconds S] [--rates 200,400,800] [--conversations N] [--repeat R]
//
// With --repeat R each rate is measured R times in a row, and the medians of p50 and p99 over the
// runs are printed with how many runs met both targets: on a shared machine one run says little.
#define DOCTEST_CONFIG_IMPLEMENT  // the test-support helpers report failures through doctest
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "tests/bench/load.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/kafka_reader.hpp"  // RequireEnv
#include "tests/support/pipeline.hpp"
#include "tests/support/quantile.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RateFigures {
  double offered = 0;
  std::size_t posted = 0;      // acknowledged by ingest (200)
  std::size_t refused = 0;     // answered otherwise; the message may still be answered
  std::size_t replied = 0;     // messages with a reply
  std::size_t duplicates = 0;  // replies beyond the first to a message
  double reply_rate = 0;
  std::vector<double> latencies_ms;  // sorted
  bench::CpuShares cpu;              // while the messages were offered
  std::int64_t maintenance = 0;      // autovacuum runs that finished meanwhile

  double Quantile(double q) const { return testing::SortedQuantile(latencies_ms, q); }
};

constexpr double kTargetRate = 200;
constexpr double kTargetP50Ms = 15;
constexpr double kTargetP99Ms = 50;

/// Vacuums and analyses that autovacuum finished so far on the database's tables. Each takes
/// CPU from the pipeline at a moment of its own choosing (an ANALYZE of the messages table
/// costs ~0.2 s of a core), so a run is told whether it overlapped one.
std::int64_t AutovacuumRuns(pqxx::connection& database) {
  pqxx::nontransaction tx(database);
  return tx
      .exec1(
          "SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) "
          "FROM pg_stat_user_tables")[0]
      .as<std::int64_t>();
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

/// The message index n of a reply "You said: <tag> <n>" at the fake Graph API, or nullopt for
/// any other request.
std::optional<std::size_t> RepliedIndex(const RecordedRequest& request, const std::string& tag) {
  rapidjson::Document body;
  body.Parse(request.body.c_str());
  if (!body.IsObject() || !body.HasMember("text") || !body["text"].IsObject() ||
      !body["text"].HasMember("body") || !body["text"]["body"].IsString()) {
    return std::nullopt;
  }
  const std::string text = body["text"]["body"].GetString();
  const std::string prefix = "You said: " + tag + " ";
  if (text.rfind(prefix, 0) != 0) return std::nullopt;
  return std::stoul(text.substr(prefix.size()));
}

/// Offers `rate` messages/s for `duration`, then waits up to 30 s until as many of the run's
/// messages are answered as ingest acknowledged, matching each reply at the fake Graph API to its
/// webhook by the text ("You said: <tag> <n>"): replies of other runs or a second reply to a
/// message do not stand in for a missing one.
RateFigures Measure(Pipeline& pipeline, FakeGraphApi& graph, const SeededTenant& tenant,
                    pqxx::connection& database, double rate, std::chrono::seconds duration,
                    int conversations, const std::string& tag) {
  const std::int64_t maintenance_before = AutovacuumRuns(database);
  std::mutex mutex;
  std::map<std::size_t, Clock::time_point> posted_at;
  std::size_t scanned = graph.Requests().size();
  const auto load = bench::RunLoad(pipeline.IngestPort(), 8, duration, rate, [&](std::size_t i) {
    const std::string wa_id = "4917" + std::to_string(2000000 + i % conversations);
    std::string body =
        WhatsAppText(tenant.platform_id, wa_id, "wamid." + tag + "-" + std::to_string(i),
                     tag + " " + std::to_string(i));
    {
      std::lock_guard lock(mutex);
      posted_at[i] = Clock::now();
    }
    return bench::PlannedRequest{
        "/webhooks/meta", body, {{"X-Hub-Signature-256", pipeline.Sign(body)}}};
  });
  const auto last_post = Clock::now();
  RateFigures figures;
  std::map<std::size_t, Clock::time_point> replied_at;  // the first reply to each message
  const auto deadline = last_post + 30s;
  for (;;) {
    const auto requests = graph.Requests();
    for (; scanned < requests.size(); ++scanned) {
      const auto index = RepliedIndex(requests[scanned], tag);
      if (index && !replied_at.emplace(*index, requests[scanned].arrived).second) {
        ++figures.duplicates;
      }
    }
    const auto now = Clock::now();
    if (replied_at.size() >= load.ok || now >= deadline) break;
    graph.WaitForRequests(scanned + 1,
                          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
  figures.maintenance = AutovacuumRuns(database) - maintenance_before;
  figures.offered = rate;
  figures.posted = load.ok;
  figures.refused = load.failed;
  figures.cpu = load.cpu;
  figures.replied = replied_at.size();
  Clock::time_point last_reply = last_post;
  for (const auto& [index, arrived] : replied_at) {
    figures.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(arrived - posted_at.at(index)).count());
    last_reply = std::max(last_reply, arrived);
  }
  std::sort(figures.latencies_ms.begin(), figures.latencies_ms.end());
  figures.reply_rate =
      figures.replied / std::chrono::duration<double>(last_reply - (last_post - duration)).count();
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context;  // lets the helpers' FAIL() report instead of aborting silently
  int seconds = 10;
  int conversations = 100;
  int repeat = 1;
  std::vector<double> rates = {200, 400, 800};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::stoi(argv[i + 1]);
    if (flag == "--conversations") conversations = std::stoi(argv[i + 1]);
    if (flag == "--repeat") repeat = std::max(1, std::stoi(argv[i + 1]));
    if (flag == "--rates") {
      rates.clear();
      std::stringstream list(argv[i + 1]);
      for (std::string rate; std::getline(list, rate, ',');) rates.push_back(std::stod(rate));
    }
  }
  // The topics the Pipeline's resolver, agent, sender and usage consume: other stages reading
  // them (the demo's, compose/local/up) would answer the bench's messages to another Graph API.
  bench::RefuseCompetingConsumers("pipeline_bench", RequireEnv("KAFKA_BROKERS"),
                                  {"messages.inbound", "messages.resolved", "replies.outbound",
                                   "delivery.status", "usage.events"});
  // The pipeline's own overhead, not Meta's pacing: one test number would otherwise be held to
  // the sender's default 20 sends/s. 1000 is the most the sender accepts (Meta's highest
  // per-number throughput), far above the rates measured. The stages inherit this environment.
  setenv("SENDER_RATE_PER_SECOND", "1000", 1);
  FakeGraphApi graph;
  FakeLlm llm;  // answers at once: "You said: <text>"
  const auto tenant = SeedTenant({.monthly_message_limit = 1000000});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  std::printf(
      "pipeline_bench: webhook -> ingest -> resolver -> agent (LLM 0 ms) -> sender -> "
      "Graph API; %d conversations, %d s per run, %d run(s) per rate\n",
      conversations, seconds, repeat);
  pqxx::connection database(RequireEnv("DATABASE_URL"));
  Measure(pipeline, graph, tenant, database, 50, 3s, conversations, "warmup");
  int run = 0;  // each run's own message ids and texts, also for a repeated rate
  for (const double rate : rates) {
    std::vector<double> p50s;
    std::vector<double> p99s;
    int met = 0;
    for (int r = 0; r < repeat; ++r) {
      const auto figures =
          Measure(pipeline, graph, tenant, database, rate, std::chrono::seconds(seconds),
                  conversations, "run" + std::to_string(run++));
      p50s.push_back(figures.Quantile(0.5));
      p99s.push_back(figures.Quantile(0.99));
      if (p50s.back() < kTargetP50Ms && p99s.back() < kTargetP99Ms) ++met;
      std::printf(
          "offered %5.0f msg/s: replied %zu/%zu at %6.1f msg/s  p50 %7.1f ms  p99 %7.1f ms  (cpu "
          "idle %.0f%%, stolen %.0f%%; autovacuum runs %lld; posts refused %zu, duplicate "
          "replies %zu)\n",
          rate, figures.replied, figures.posted, figures.reply_rate, p50s.back(), p99s.back(),
          figures.cpu.idle, figures.cpu.steal, static_cast<long long>(figures.maintenance),
          figures.refused, figures.duplicates);
    }
    if (repeat > 1) {
      const auto [p50_low, p50_high] = std::minmax_element(p50s.begin(), p50s.end());
      const auto [p99_low, p99_high] = std::minmax_element(p99s.begin(), p99s.end());
      std::printf(
          "  %5.0f msg/s, %d runs: median p50 %.1f ms (%.1f-%.1f), median p99 %.1f ms "
          "(%.1f-%.1f); p50 < %.0f ms and p99 < %.0f ms in %d of %d\n",
          rate, repeat, Median(p50s), *p50_low, *p50_high, Median(p99s), *p99_low, *p99_high,
          kTargetP50Ms, kTargetP99Ms, met, repeat);
    }
  }
  std::printf("targets: p50 < %.0f ms and p99 < %.0f ms at %.0f msg/s\n", kTargetP50Ms,
              kTargetP99Ms, kTargetRate);
  return 0;
}
