// switchboard-tools: tools.requests (Vapi tool calls of live calls) → the agent's tools for the
// caller's tenant and customer → one spoken line each on tools.results for the waiting ingest
// replica. Its own consumer group, so a chat backlog never delays a call. Configuration: the
// database (db::ReadDatabaseOptions) and every stage's (common/stage_main.hpp).
#include <chrono>
#include <memory>

#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "common/topics/tools_requests.hpp"
#include "workers/tools/answer_tool_call.hpp"

int main() {
  using namespace switchboard;
  return StageMain("tools", {std::string(topics::ToolsRequests::kTopic)}, db::ReadDatabaseOptions,
                   [](StageContext& context, const db::DatabaseOptions& database) -> RecordHandler {
                     auto pool = db::MakeConnectionPool(database);
                     context.ready = [pool] { return pool->Ping(); };
                     auto answerer = std::make_shared<tools::ToolCallAnswerer>(
                         *pool, context.producer, context.registry, [] {
                           return std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                               .count();
                         });
                     return [pool, answerer](const ConsumedRecord& record) {
                       return answerer->Handle(record);
                     };
                   });
}
