// Agent stage throughput against an LLM that answers after 300 ms: the real switchboard-agent
// binary with MAX_IN_FLIGHT 1, 16, 64 and 256 on the same partitions of messages.resolved, 256
// conversations of one tenant, and the ratio of each rate to in-flight 1. Not a test: it prints.
//
//   agent_bench [--llm-delay-ms 300] [--per-slot 10]   (env: KAFKA_BROKERS, DATABASE_URL,
//                                                        DATABASE_OWNER_URL, TOKEN_ENCRYPTION_KEYS)
#define DOCTEST_CONFIG_IMPLEMENT  // the test-support helpers report failures through doctest
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>

#include <cstdio>
#include <pqxx/pqxx>
#include <thread>

#include "common/hmac.hpp"
#include "common/kafka_producer.hpp"
#include "tests/bench/load.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kConversations = 256;
constexpr char kTopic[] = "messages.resolved";

struct Conversation {
  std::string customer_id;
  std::string conversation_id;
  std::string wa_id;
};

std::vector<Conversation> SeedConversations(const SeededTenant& tenant) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  const auto rows = tx.exec_params(
      "WITH c AS (INSERT INTO customers (business_id, name, phone) "
      "  SELECT $1, 'Bench ' || g, (4915900000 + g)::text FROM generate_series(1, $2) g "
      "  RETURNING id, phone), "
      "v AS (INSERT INTO conversations (business_id, customer_id, channel) "
      "  SELECT $1, id, 'whatsapp' FROM c RETURNING customer_id, id) "
      "SELECT v.customer_id, v.id, c.phone FROM v JOIN c ON c.id = v.customer_id",
      tenant.business_id, kConversations);
  tx.commit();
  std::vector<Conversation> conversations;
  for (const auto& row : rows) {
    conversations.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  return conversations;
}

/// Stores `count` inbound messages spread over the conversations and returns their
/// messages.resolved records, as the resolver would have emitted them.
std::vector<OutboundRecord> InboundBatch(const SeededTenant& tenant,
                                         const std::vector<Conversation>& conversations, int count,
                                         const std::string& tag) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  std::vector<OutboundRecord> records;
  for (int i = 0; i < count; ++i) {
    const Conversation& conversation = conversations[i % conversations.size()];
    const std::string platform_id = "wamid.bench-" + tag + "-" + std::to_string(i);
    const std::string text = "What are your opening hours? (" + std::to_string(i) + ")";
    const std::string message_id =
        tx.exec_params1(
              "INSERT INTO messages (business_id, conversation_id, role, content, "
              "channel, status, platform_message_id) VALUES ($1, $2, 'user', $3, "
              "'whatsapp', 'received', $4) RETURNING id",
              tenant.business_id, conversation.conversation_id, text, platform_id)[0]
            .as<std::string>();
    const std::string event_id = EventIdFor({"messages.resolved", message_id});
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    for (const auto& [key, value] : std::vector<std::pair<const char*, std::string>>{
             {"event_id", event_id},
             {"schema", "messages.resolved/1"},
             {"business_id", tenant.business_id},
             {"customer_id", conversation.customer_id},
             {"conversation_id", conversation.conversation_id},
             {"message_id", message_id},
             {"channel", "whatsapp"},
             {"channel_account_id", tenant.platform_id},
             {"sender_id", conversation.wa_id},
             {"platform_message_id", platform_id},
             {"type", "text"},
             {"text", text},
             {"sent_at", "2026-01-01T00:00:00.000Z"},
             {"received_at", "2026-01-01T00:00:00.000Z"},
             {"trace_id", "bench"}}) {
      w.Key(key);
      w.String(value);
    }
    w.EndObject();
    records.push_back({kTopic,
                       "whatsapp:" + tenant.platform_id + ":" + conversation.wa_id,
                       {buffer.GetString(), buffer.GetSize()},
                       {{"event-id", event_id},
                        {"schema", "messages.resolved/1"},
                        {"tenant", tenant.business_id},
                        {"trace-id", "bench"}}});
  }
  tx.commit();
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context;
  int llm_delay_ms = 300;
  int per_slot = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--llm-delay-ms") llm_delay_ms = std::stoi(argv[i + 1]);
    if (flag == "--per-slot") per_slot = std::stoi(argv[i + 1]);
  }
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  // The demo's agent (or any other stage reading the topic) would answer the bench's messages.
  bench::RefuseCompetingConsumers("agent_bench", brokers, {kTopic});
  FakeLlm llm({.delay = std::chrono::milliseconds(llm_delay_ms), .threads = 2});
  const auto tenant = SeedTenant({.monthly_message_limit = 1000000});
  const auto conversations = SeedConversations(tenant);
  const std::string run = UniqueSuffix();
  const std::string group = "agent-bench-" + run;
  StartGroupAtEnd(brokers, group, {kTopic});
  KafkaProducer producer({.brokers = brokers, .client_id = "agent-bench"});

  std::printf("agent_bench: LLM answers after %d ms, %d conversations, %s partitions shared\n",
              llm_delay_ms, kConversations, kTopic);
  double baseline = 0;
  for (int in_flight : {1, 16, 64, 256}) {
    auto environment = CurrentEnvironment();
    environment["MAX_IN_FLIGHT"] = std::to_string(in_flight);
    environment["KAFKA_GROUP_ID"] = group;
    environment["LLM_BASE_URL"] = llm.Url() + "/v1";
    environment["DATABASE_POOL_SIZE"] = "16";
    environment["STAGE_HTTP_PORT"] = "0";
    environment["LOG_LEVEL"] = "info";  // the port and the assignment are read from the log
    ChildProcess agent(SWITCHBOARD_BINARY_DIR "/workers/switchboard-agent", {}, environment);
    // Joined and assigned before the clock starts.
    const unsigned short port = agent.LoggedPort("stage ops listening", 30s);
    const auto deadline = Clock::now() + 60s;
    bool ready = false;
    while (!ready && Clock::now() < deadline) {
      try {
        ready = HttpCall(port, "GET", "/readyz").status == 200 &&
                agent.Stderr().find("\"partitions assigned\"") != std::string::npos;
      } catch (const std::exception&) {
      }
      if (!ready) std::this_thread::sleep_for(50ms);
    }
    if (!ready) {
      std::fprintf(stderr, "the agent was not ready and assigned within 60 s:\n%s\n",
                   agent.Stderr().c_str());
      return 1;
    }
    const int count = std::max(20, per_slot * in_flight);
    const auto records =
        InboundBatch(tenant, conversations, count, run + "-" + std::to_string(in_flight));
    TopicReader replies(brokers, "replies.outbound");
    const auto started = Clock::now();
    if (auto error = producer.ProduceAndWait(records)) {
      std::fprintf(stderr, "produce failed: %s\n", error->message.c_str());
      return 1;
    }
    std::size_t answered = 0;
    Clock::time_point last = started;
    while (answered < static_cast<std::size_t>(count) && Clock::now() - started < 300s) {
      answered = 0;
      for (const auto& record : replies.ReadAtLeast(count, 1s)) {
        // Answers of the LLM only: a fallback or limit reply did not measure the LLM path.
        rapidjson::Document reply;
        reply.Parse(record.value.c_str());
        if (FindHeader(record.headers, "tenant") == tenant.business_id && reply.IsObject() &&
            reply.HasMember("kind") && reply["kind"] == "ai") {
          ++answered;
        }
      }
      last = Clock::now();
    }
    const double seconds = std::chrono::duration<double>(last - started).count();
    const double rate = answered / seconds;
    if (in_flight == 1) baseline = rate;
    const double rss = bench::PeakRssMiB(agent.Pid());
    agent.Signal(SIGTERM);
    const int code = agent.Wait(60s);
    std::printf(
        "max in flight %3d: %5zu/%d answered in %6.2f s = %7.1f msg/s  x%6.1f of "
        "in-flight 1  agent peak RSS %6.1f MiB  exit %d\n",
        in_flight, answered, count, seconds, rate, baseline > 0 ? rate / baseline : 0, rss, code);
  }
  std::printf("targets: at 256 in flight >= 100x the in-flight-1 rate; agent RSS < 200 MB\n");
  return 0;
}
