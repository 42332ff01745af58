// switchboard-calls: voice.events (Vapi end-of-call reports) → the caller's customer, a voice
// conversation with its transcript, summary and recording, and the call's seconds on
// usage.events. Configuration: the database (db::ReadDatabaseOptions) and every stage's
// (common/stage_main.hpp).
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "common/topics/voice_events.hpp"
#include "workers/calls/record_call.hpp"

int main() {
  using namespace switchboard;
  return StageMain(
      "calls", {std::string(topics::VoiceEvents::kTopic)}, db::ReadDatabaseOptions,
      [](StageContext& context, const db::DatabaseOptions& database) -> RecordHandler {
        auto pool = db::MakeConnectionPool(database);
        context.ready = [pool] { return pool->Ping(); };
        auto recorder =
            std::make_shared<calls::CallRecorder>(*pool, context.producer, context.registry);
        return [pool, recorder](const ConsumedRecord& record) { return recorder->Handle(record); };
      });
}
