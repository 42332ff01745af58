// switchboard-resolver: messages.inbound → tenant, customer, conversation, stored message →
// messages.resolved. DATABASE_URL (required, the application role), DATABASE_POOL_SIZE (8); the
// rest as every stage (common/stage_main.hpp).
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "workers/resolver/resolve_inbound.hpp"

int main() {
  using namespace switchboard;
  return StageMain("resolver", {"messages.inbound"}, [](StageContext& context) -> RecordHandler {
    auto pool = db::ConnectionPoolFromEnvironment();
    context.ready = [pool] { return pool->Ping(); };
    auto resolver =
        std::make_shared<resolver::InboundResolver>(*pool, context.producer, context.registry);
    return [pool, resolver](const ConsumedRecord& record) { return resolver->Handle(record); };
  });
}
