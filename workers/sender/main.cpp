// switchboard-sender: replies.outbound → the channel's send API (at most once per reply), and
// delivery.status → the status of the messages we sent. Configuration, besides StageMain's:
// workers/sender/sender_config.hpp.
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "common/token_cipher.hpp"
#include "common/topics/delivery_status.hpp"
#include "common/topics/replies_outbound.hpp"
#include "workers/sender/delivery_status.hpp"
#include "workers/sender/graph_client.hpp"
#include "workers/sender/rate_limiter.hpp"
#include "workers/sender/send_reply.hpp"
#include "workers/sender/sender_config.hpp"

namespace {

using namespace switchboard;

/// Everything the handlers share; lives as long as the handler that holds it.
struct Sender {
  explicit Sender(const sender::SenderConfig& config)
      : pool(config.database.url, config.database.pool_size),
        cipher(config.token_encryption_keys),
        graph(config.graph),
        limiter(config.rate_per_second),
        replies(pool, cipher, graph, limiter),
        statuses(pool) {}

  db::ConnectionPool pool;
  TokenCipher cipher;
  sender::GraphClient graph;
  sender::RateLimiter limiter;
  sender::ReplySender replies;
  sender::DeliveryStatusRecorder statuses;
};

RecordHandler MakeHandler(StageContext& context, const sender::SenderConfig& config) {
  auto sender = std::make_shared<Sender>(config);
  context.ready = [sender] { return sender->pool.Ping(); };
  return [sender](const ConsumedRecord& record) {
    if (record.topic == topics::RepliesOutbound::kTopic) return sender->replies.Handle(record);
    if (record.topic == topics::DeliveryStatus::kTopic) return sender->statuses.Handle(record);
    return Outcome::DeadLetter("sender: unexpected topic " + record.topic);
  };
}

}  // namespace

int main() {
  return switchboard::StageMain("sender",
                                {std::string(switchboard::topics::RepliesOutbound::kTopic),
                                 std::string(switchboard::topics::DeliveryStatus::kTopic)},
                                switchboard::sender::ReadSenderConfig, MakeHandler);
}
