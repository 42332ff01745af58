#include "workers/agent/answer_turn.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "common/embeddings_client.hpp"
#include "common/json.hpp"
#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "workers/agent/answer_guard.hpp"
#include "workers/agent/prompt.hpp"
#include "workers/agent/tools.hpp"
#include "workers/sender/text_split.hpp"

namespace switchboard::agent {

namespace {

using std::chrono::sys_seconds;

constexpr std::string_view kDefaultFallback =
    "Sorry, I can't answer that right now. A member of our team will get back to you shortly.";
constexpr std::string_view kDefaultLimit =
    "Sorry, we can't answer messages here at the moment. Please contact us another way or try "
    "again later.";
constexpr std::string_view kDefaultHandoff = "A member of our team will get back to you shortly.";
// Stored per tool call in messages.tool_calls: enough to audit, not a copy of every result.
constexpr std::size_t kToolResultSummaryBytes = 500;
// Further LLM attempts after an answer the guard refused, before the fallback message.
constexpr int kGuardRetries = 1;

/// `text` cut to at most `max_bytes` at a UTF-8 boundary.
std::string Truncated(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string SourcesJson(const std::vector<KnowledgePassage>& passages) {
  if (passages.empty()) return "";
  json::Writer writer;
  writer.StartArray();
  for (const auto& passage : passages) {
    writer.StartObject()
        .Field("chunk_id", passage.chunk_id)
        .Field("item_id", passage.item_id)
        .Field("title", passage.title)
        .Field("rank", passage.rank)
        .EndObject();
  }
  writer.EndArray();
  return writer.Take();
}

/// The tool calls of a turn, as stored in messages.tool_calls.
class ToolCallLog final {
 public:
  ToolCallLog() { writer_.StartArray(); }

  void Add(const LlmToolCall& call, const ToolResult& result) {
    ++count_;
    writer_.StartObject()
        .Field("id", call.id)
        .Field("name", call.name)
        .Key("arguments")
        .JsonOrString(call.arguments)
        .Field("ok", result.ok)
        .Field("handed_off", result.handed_off)
        .Field("result", Truncated(result.content, kToolResultSummaryBytes))
        .EndObject();
  }

  /// The JSON array, or "" when no tool ran.
  std::string Json() {
    if (count_ == 0) return "";
    writer_.EndArray();
    return writer_.Take();
  }

 private:
  json::Writer writer_;
  int count_ = 0;
};

TurnReply FallbackReply(const BusinessInfo& business) {
  TurnReply reply;
  reply.text =
      business.fallback_message.empty() ? std::string(kDefaultFallback) : business.fallback_message;
  reply.kind = "fallback";
  reply.needs_human = true;
  return reply;
}

TurnReply LimitReply(const BusinessInfo& business) {
  TurnReply reply;
  reply.text = business.limit_message.empty() ? std::string(kDefaultLimit) : business.limit_message;
  reply.kind = "limit";
  return reply;
}

/// Retrieval-only mode: the best passage when it matches strongly enough, else the fallback.
TurnReply AnswerFromKnowledge(const AgentSettings& settings, const TurnContext& context) {
  if (!context.retrieval_answer || *context.retrieval_answer >= context.passages.size()) {
    return FallbackReply(context.business);
  }
  const KnowledgePassage& best = context.passages[*context.retrieval_answer];
  TurnReply reply;
  reply.text = SentenceExcerpt(best.content, settings.retrieval_excerpt_bytes);
  reply.kind = "retrieval";
  reply.sources_json = SourcesJson({best});
  return reply;
}

}  // namespace

TurnHandler::TurnHandler(AgentDependencies deps, prometheus::Registry& registry)
    : deps_(std::move(deps)),
      refused_answers_(prometheus::BuildCounter()
                           .Name("switchboard_agent_answers_refused_total")
                           .Help("LLM answers not sent to the customer, by reason")
                           .Register(registry)) {
  // Every reason's series exists from the start, so a rate() alert sees the first one.
  for (AnswerProblem problem :
       {AnswerProblem::kEmpty, AnswerProblem::kLeakedToolCall, AnswerProblem::kTooLong}) {
    refused_answers_.Add({{"reason", std::string(AnswerProblemName(problem))}});
  }
}

Outcome TurnHandler::Handle(const ConsumedRecord& record) {
  const auto started = std::chrono::steady_clock::now();

  // Decode.
  auto decoded = topics::MessagesResolved::Decode(record);
  if (!decoded.ok()) return Outcome::DeadLetter(decoded.error().message);
  const ResolvedMessage message = std::move(decoded).value();
  // A standby message belongs to another app's thread; a reaction is not something to answer.
  if (message.standby || message.type == "reaction") {
    Log(LogLevel::kInfo, "nothing to answer",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"reason", message.standby ? "standby" : "reaction"}});
    return Outcome::Done();
  }

  // Load the context.
  const sys_seconds now = deps_.now();
  TurnQuery turn{message.business_id,
                 message.customer_id,
                 message.conversation_id,
                 message.message_id,
                 message.text,
                 ReplyEventId(message),
                 now,
                 deps_.settings.history_limit,
                 deps_.settings.passage_limit,
                 deps_.settings.retrieval_rule};
  if (deps_.embeddings != nullptr && !message.text.empty()) {
    // Before the context's transaction: no connection is held while the endpoint answers. A
    // failing endpoint costs the turn its vector ranking, not its answer.
    auto vectors = deps_.embeddings->Embed({message.text});
    if (vectors.ok()) {
      turn.embedding = std::move(vectors->front());
      turn.embedding_model = deps_.embeddings->Model();
    } else {
      Log(LogLevel::kWarning, "embedding the question failed; searching full text alone",
          {{"event_id", message.event_id},
           {"trace_id", message.trace_id},
           {"error", vectors.error().message}});
    }
  }
  TurnContext context;
  try {
    context = deps_.store.LoadTurnContext(turn);
  } catch (const MissingTurnData& e) {
    return Outcome::DeadLetter(e.what());
  }
  if (context.existing_reply) {
    Log(LogLevel::kInfo, "reply stored before; re-emitting it",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"reply_event_id", turn.reply_event_id}});
    Emit(message, *context.existing_reply);
    return Outcome::Done();
  }
  if (context.conversation_status == "HANDED_OFF") {
    Log(LogLevel::kInfo, "conversation handed off to a person; no AI reply",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"conversation_id", message.conversation_id}});
    return Outcome::Done();
  }

  // Decide.
  const TurnReply reply = Decide(message, context, now);
  const auto latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();

  // Persist, then emit: a reply goes out only once it is stored.
  const StoredReply stored =
      deps_.store.StoreReply(turn, message.channel, reply, static_cast<std::int64_t>(latency_ms));
  Emit(message, stored);
  Log(LogLevel::kInfo, "replied",
      {{"event_id", message.event_id},
       {"trace_id", message.trace_id},
       {"reply_event_id", turn.reply_event_id},
       {"kind", stored.kind},
       {"latency_ms", static_cast<std::int64_t>(latency_ms)},
       {"llm_tokens", stored.llm_tokens}});
  return Outcome::Done();
}

TurnReply TurnHandler::Decide(const ResolvedMessage& message, const TurnContext& context,
                              sys_seconds now) const {
  const auto& limit = context.business.monthly_message_limit;
  if (limit && context.messages_this_month >= *limit) return LimitReply(context.business);
  if (deps_.llm == nullptr) return AnswerFromKnowledge(deps_.settings, context);
  return AnswerWithLlm(message, context, now);
}

/// Up to max_tool_steps tool calls, then one call without tools. An answer the guard refuses
/// (CheckAnswer: empty, a leaked tool call, over length) is asked for once more; a failing LLM
/// (after its own retries) or a second refused answer gives the fallback reply.
TurnReply TurnHandler::AnswerWithLlm(const ResolvedMessage& message, const TurnContext& context,
                                     sys_seconds now) const {
  const LlmClient& llm = *deps_.llm;
  const ToolScope scope{message.business_id, message.customer_id, message.conversation_id, now};
  auto messages = BuildChatMessages(context, message.text, now);
  ToolCallLog tool_log;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int steps = 0;
  int refusals = 0;
  const std::size_t reply_limit = std::min(
      deps_.settings.max_reply_characters,
      sender::MaxTextLength(message.channel).value_or(deps_.settings.max_reply_characters));
  const auto finish = [&](TurnReply reply) {
    reply.tool_calls_json = tool_log.Json();
    reply.prompt_tokens = prompt_tokens;
    reply.completion_tokens = completion_tokens;
    if (reply.sources_json.empty() && reply.kind == "ai") {
      reply.sources_json = SourcesJson(context.passages);
    }
    return reply;
  };

  for (;;) {
    const bool tools_allowed = steps < deps_.settings.max_tool_steps;
    auto completion = llm.Complete(messages, tools_allowed ? ToolDefinitionsJson() : "");
    if (!completion.ok()) {
      Log(LogLevel::kWarning, "LLM failed; answering with the fallback message",
          {{"event_id", message.event_id},
           {"trace_id", message.trace_id},
           {"error", completion.error().message}});
      return finish(FallbackReply(context.business));
    }
    prompt_tokens += completion->prompt_tokens;
    completion_tokens += completion->completion_tokens;
    if (completion->tool_calls.empty() || !tools_allowed) {
      const AnswerProblem problem = CheckAnswer(completion->content, reply_limit);
      if (problem == AnswerProblem::kNone) return finish(TurnReply{completion->content, "ai"});
      // Never the answer's text here: it may quote the customer.
      refused_answers_.Add({{"reason", std::string(AnswerProblemName(problem))}}).Increment();
      const bool again = ++refusals <= kGuardRetries;
      Log(LogLevel::kWarning,
          again ? "LLM answer not sent; asking once more" : "LLM answer not sent; fallback",
          {{"event_id", message.event_id},
           {"trace_id", message.trace_id},
           {"reason", std::string(AnswerProblemName(problem))},
           {"answer_bytes", static_cast<std::int64_t>(completion->content.size())}});
      if (!again) return finish(FallbackReply(context.business));
      continue;
    }

    messages.push_back({"assistant", completion->content, {}, completion->tool_calls});
    std::string handoff_notice;
    bool handed_off = false;
    for (const auto& call : completion->tool_calls) {
      ToolResult result;
      if (steps < deps_.settings.max_tool_steps) {
        ++steps;
        result = RunTool(deps_.tools, scope, call.name, call.arguments);
      } else {
        // Every call of a response must be answered, also the ones over the limit.
        result = {R"({"error":"too many tool calls in this turn; answer the customer now"})", false,
                  false};
      }
      Log(LogLevel::kInfo, "tool ran",
          {{"event_id", message.event_id},
           {"trace_id", message.trace_id},
           {"tool", call.name},
           {"ok", result.ok ? "true" : "false"}});
      tool_log.Add(call, result);
      messages.push_back({"tool", result.content, call.id, {}});
      if (result.handed_off) {
        handed_off = true;
        if (handoff_notice.empty() && result.customer_notice) {
          handoff_notice = *result.customer_notice;
        }
      }
    }
    if (handed_off) {
      // No more AI in this conversation: the tool set it HANDED_OFF; tell the customer.
      if (handoff_notice.empty()) handoff_notice = completion->content;
      if (handoff_notice.empty()) handoff_notice = kDefaultHandoff;
      return finish(TurnReply{handoff_notice, "ai"});
    }
  }
}

void TurnHandler::Emit(const ResolvedMessage& message, const StoredReply& reply) const {
  const auto records = ReplyRecords(message, reply);
  if (const auto error = deps_.producer.ProduceAndWait(records)) {
    throw RetryableError("producing the reply failed: " + error->message);
  }
}

}  // namespace switchboard::agent
