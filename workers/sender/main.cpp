// switchboard-sender: replies.outbound → the channel's send API (at most once per reply), and
// delivery.status → the status of the messages we sent. Configuration, besides StageMain's:
//   DATABASE_URL (required), DATABASE_POOL_SIZE (8), TOKEN_ENCRYPTION_KEYS (required),
//   GRAPH_BASE_URL (https://graph.facebook.com), GRAPH_VERSION (v21.0), GRAPH_TIMEOUT_MS (10000),
//   SENDER_RATE_PER_SECOND (20: sends per second per channel account).
#include <memory>

#include "common/config.hpp"
#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "common/token_cipher.hpp"
#include "workers/sender/delivery_status.hpp"
#include "workers/sender/graph_client.hpp"
#include "workers/sender/rate_limiter.hpp"
#include "workers/sender/send_reply.hpp"

namespace {

using namespace switchboard;

/// Everything the handlers share; lives as long as the handler that holds it.
struct Sender {
  Sender(std::string database_url, std::size_t pool_size, const std::string& key_ring,
         sender::GraphConfig graph_config, double rate_per_second)
      : pool(std::move(database_url), pool_size),
        cipher(key_ring),
        graph(std::move(graph_config)),
        limiter(rate_per_second),
        replies(pool, cipher, graph, limiter),
        statuses(pool) {}

  db::ConnectionPool pool;
  TokenCipher cipher;
  sender::GraphClient graph;
  sender::RateLimiter limiter;
  sender::ReplySender replies;
  sender::DeliveryStatusRecorder statuses;
};

RecordHandler MakeHandler(StageContext& context) {
  const std::int64_t pool_size = EnvInt("DATABASE_POOL_SIZE", 8);
  if (pool_size < 1) throw ConfigError("DATABASE_POOL_SIZE must be at least 1");
  const std::int64_t rate = EnvInt("SENDER_RATE_PER_SECOND", 20);
  if (rate < 1) throw ConfigError("SENDER_RATE_PER_SECOND must be at least 1");
  sender::GraphConfig graph{
      .base_url = EnvOr("GRAPH_BASE_URL", "https://graph.facebook.com"),
      .version = EnvOr("GRAPH_VERSION", "v21.0"),
      .timeout = EnvMillis("GRAPH_TIMEOUT_MS", std::chrono::milliseconds(10000))};
  while (!graph.base_url.empty() && graph.base_url.back() == '/') graph.base_url.pop_back();
  if (graph.timeout <= std::chrono::milliseconds::zero()) {
    throw ConfigError("GRAPH_TIMEOUT_MS must be positive");
  }

  auto sender = std::make_shared<Sender>(
      RequiredEnv("DATABASE_URL"), static_cast<std::size_t>(pool_size),
      RequiredEnv("TOKEN_ENCRYPTION_KEYS"), std::move(graph), static_cast<double>(rate));
  context.ready = [sender] { return sender->pool.Ping(); };
  return [sender](const ConsumedRecord& record) {
    if (record.topic == "replies.outbound") return sender->replies.Handle(record);
    if (record.topic == "delivery.status") return sender->statuses.Handle(record);
    return Outcome::DeadLetter("sender: unexpected topic " + record.topic);
  };
}

}  // namespace

int main() {
  return switchboard::StageMain("sender", {"replies.outbound", "delivery.status"}, MakeHandler);
}
