// Webhook-to-reply overhead of the whole pipeline with an LLM that answers at once: every stage
// as its real binary, the broker and database from the environment (tests/run's or up's env
// file), a fake Graph API that timestamps each reply. Not a test: it prints figures.
//
//   pipeline_bench [--seconds S] [--rates 200,400,800] [--conversations N]
#define DOCTEST_CONFIG_IMPLEMENT  // the test-support helpers report failures through doctest
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/bench/load.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RateFigures {
  double offered = 0;
  std::size_t posted = 0;
  std::size_t replied = 0;
  double reply_rate = 0;
  std::vector<double> latencies_ms;  // sorted
  bench::CpuShares cpu;              // while the messages were offered

  double Quantile(double q) const {
    if (latencies_ms.empty()) return 0;
    return latencies_ms[static_cast<std::size_t>(q * (latencies_ms.size() - 1))];
  }
};

/// Offers `rate` messages/s for `duration`, then waits up to 30 s for the replies, and matches
/// each reply at the fake Graph API to its webhook by the text ("You said: <tag> <n>").
RateFigures Measure(Pipeline& pipeline, FakeGraphApi& graph, const SeededTenant& tenant,
                    double rate, std::chrono::seconds duration, int conversations,
                    const std::string& tag) {
  std::mutex mutex;
  std::map<std::size_t, Clock::time_point> posted_at;
  const std::size_t before = graph.Requests().size();
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
  graph.WaitForRequests(before + load.ok, 30s);
  RateFigures figures;
  figures.offered = rate;
  figures.posted = load.ok;
  figures.cpu = load.cpu;
  Clock::time_point last_reply = last_post;
  const auto requests = graph.Requests();
  for (std::size_t r = before; r < requests.size(); ++r) {
    rapidjson::Document body;
    body.Parse(requests[r].body.c_str());
    if (!body.IsObject() || !body.HasMember("text")) continue;
    const std::string text = body["text"]["body"].GetString();
    const std::string prefix = "You said: " + tag + " ";
    if (text.rfind(prefix, 0) != 0) continue;
    const std::size_t i = std::stoul(text.substr(prefix.size()));
    std::lock_guard lock(mutex);
    figures.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(requests[r].arrived - posted_at.at(i)).count());
    last_reply = std::max(last_reply, requests[r].arrived);
    ++figures.replied;
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
  std::vector<double> rates = {200, 400, 800};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::stoi(argv[i + 1]);
    if (flag == "--conversations") conversations = std::stoi(argv[i + 1]);
    if (flag == "--rates") {
      rates.clear();
      std::stringstream list(argv[i + 1]);
      for (std::string rate; std::getline(list, rate, ',');) rates.push_back(std::stod(rate));
    }
  }
  // The pipeline's own overhead, not Meta's pacing: one test number would otherwise be held to
  // the sender's default 20 sends/s. The stages inherit this process's environment.
  setenv("SENDER_RATE_PER_SECOND", "100000", 1);
  FakeGraphApi graph;
  FakeLlm llm;  // answers at once: "You said: <text>"
  const auto tenant = SeedTenant({.monthly_message_limit = 1000000});
  Pipeline pipeline({.graph_base_url = graph.Url(), .llm_base_url = llm.Url() + "/v1"});
  std::printf(
      "pipeline_bench: webhook -> ingest -> resolver -> agent (LLM 0 ms) -> sender -> "
      "Graph API; %d conversations, %d s per rate\n",
      conversations, seconds);
  Measure(pipeline, graph, tenant, 50, 3s, conversations, "warmup");
  for (std::size_t run = 0; run < rates.size(); ++run) {
    const double rate = rates[run];
    std::string tag = "run";  // each run's own message ids and texts, also for a repeated rate
    tag += std::to_string(run);
    const auto figures =
        Measure(pipeline, graph, tenant, rate, std::chrono::seconds(seconds), conversations, tag);
    std::printf(
        "offered %5.0f msg/s: replied %zu/%zu at %6.1f msg/s  p50 %7.1f ms  p99 %7.1f ms  (cpu "
        "idle %.0f%%, stolen %.0f%%)\n",
        rate, figures.replied, figures.posted, figures.reply_rate, figures.Quantile(0.5),
        figures.Quantile(0.99), figures.cpu.idle, figures.cpu.steal);
  }
  std::printf("targets: p50 < 15 ms and p99 < 50 ms at 200 msg/s\n");
  return 0;
}
