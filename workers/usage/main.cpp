// switchboard-usage: usage.events → monthly per-tenant usage_counters, each event counted once.
// DATABASE_URL (required, the application role), DATABASE_POOL_SIZE (8); the rest as every stage
// (common/stage_main.hpp).
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "workers/usage/record_usage.hpp"

int main() {
  using namespace switchboard;
  return StageMain("usage", {"usage.events"}, [](StageContext& context) -> RecordHandler {
    auto pool = db::ConnectionPoolFromEnvironment();
    context.ready = [pool] { return pool->Ping(); };
    auto recorder = std::make_shared<usage::UsageRecorder>(*pool);
    return [pool, recorder](const ConsumedRecord& record) { return recorder->Handle(record); };
  });
}
