// switchboard-agent: messages.resolved → replies.outbound + usage.events. Loads the turn's
// context, answers with the LLM and its tools (or from the knowledge base alone when LLM_BASE_URL
// is unset), stores the assistant message and emits the reply.
// Configuration: workers/agent/agent_config.hpp; the rest as every stage (common/stage_main.hpp).
#include <memory>

#include "common/db_pool.hpp"
#include "common/embeddings_client.hpp"
#include "common/log.hpp"
#include "common/stage_main.hpp"
#include "common/topics/messages_resolved.hpp"
#include "workers/agent/agent_config.hpp"
#include "workers/agent/agent_store.hpp"
#include "workers/agent/answer_turn.hpp"
#include "workers/agent/llm_client.hpp"
#include "workers/agent/tool_store.hpp"

int main() {
  using namespace switchboard;
  return StageMain(
      "agent", {std::string(topics::MessagesResolved::kTopic)}, agent::ReadAgentConfig,
      [](StageContext& context, const agent::AgentConfig& config) -> RecordHandler {
        auto pool = db::MakeConnectionPool(config.database);
        context.ready = [pool] { return pool->Ping(); };

        std::shared_ptr<const agent::LlmClient> llm;
        if (config.llm) {
          Log(LogLevel::kInfo, "answering with the LLM", {{"model", config.llm->model}});
          llm = std::make_shared<const agent::LlmClient>(*config.llm);
        } else {
          Log(LogLevel::kInfo, "LLM_BASE_URL is not set: answering from the knowledge base only");
        }
        std::shared_ptr<const EmbeddingsClient> embeddings;
        if (config.embeddings) {
          Log(LogLevel::kInfo, "knowledge search: full text and vectors",
              {{"embeddings_model", config.embeddings->model}});
          embeddings = std::make_shared<const EmbeddingsClient>(*config.embeddings);
        }
        auto store = std::make_shared<agent::AgentStore>(*pool);
        auto tools = std::make_shared<agent::PostgresToolStore>(*pool);
        auto handler = std::make_shared<agent::TurnHandler>(
            agent::AgentDependencies{*store, *tools, context.producer, llm.get(), config.settings,
                                     [] {
                                       return std::chrono::floor<std::chrono::seconds>(
                                           std::chrono::system_clock::now());
                                     },
                                     embeddings.get()},
            context.registry);
        return [pool, llm, embeddings, store, tools, handler](const ConsumedRecord& record) {
          return handler->Handle(record);
        };
      });
}
