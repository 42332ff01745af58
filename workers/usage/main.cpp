// switchboard-usage: usage.events → monthly per-tenant usage_counters, each event counted once.
// Configuration: the database (db::ReadDatabaseOptions) and every stage's (common/stage_main.hpp).
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "common/topics/usage_events.hpp"
#include "workers/usage/record_usage.hpp"

int main() {
  using namespace switchboard;
  return StageMain("usage", {std::string(topics::UsageEvents::kTopic)}, db::ReadDatabaseOptions,
                   [](StageContext& context, const db::DatabaseOptions& database) -> RecordHandler {
                     auto pool = db::MakeConnectionPool(database);
                     context.ready = [pool] { return pool->Ping(); };
                     auto store = std::make_shared<usage::UsageStore>(*pool);
                     auto recorder = std::make_shared<usage::UsageRecorder>(*store);
                     return [pool, store, recorder](const ConsumedRecord& record) {
                       return recorder->Handle(record);
                     };
                   });
}
