// switchboard-resolver: messages.inbound → tenant, customer, conversation, stored message →
// messages.resolved. Configuration: the database (db::ReadDatabaseOptions) and every stage's
// (common/stage_main.hpp).
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "common/topics/messages_inbound.hpp"
#include "workers/resolver/resolve_inbound.hpp"

int main() {
  using namespace switchboard;
  return StageMain(
      "resolver", {std::string(topics::MessagesInbound::kTopic)}, db::ReadDatabaseOptions,
      [](StageContext& context, const db::DatabaseOptions& database) -> RecordHandler {
        auto pool = db::MakeConnectionPool(database);
        context.ready = [pool] { return pool->Ping(); };
        auto resolver =
            std::make_shared<resolver::InboundResolver>(*pool, context.producer, context.registry);
        return [pool, resolver](const ConsumedRecord& record) { return resolver->Handle(record); };
      });
}
