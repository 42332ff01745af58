#include "workers/tools/answer_tool_call.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <pqxx/pqxx>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "common/text_shapes.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/tools_results.hpp"
#include "workers/agent/tools.hpp"
#include "workers/calls/call_report.hpp"
#include "workers/calls/calls_store.hpp"

namespace switchboard::tools {
namespace {

/// The outcomes switchboard_tools_calls_total counts: result and error (the tool ran or
/// refused), repeated (a stored answer sent again), expired, no_caller, malformed, refused.
constexpr const char* kOutcomes[] = {"result",    "error",     "repeated", "expired",
                                     "no_caller", "malformed", "refused"};

topics::ToolCallResult ResultOf(const topics::ToolCallRequest& request,
                                const StoredAnswer& stored) {
  return {.event_id = topics::ToolsResults::EventId(request.call_id, request.tool_call_id),
          .tool_call_id = request.tool_call_id,
          .call_id = request.call_id,
          .business_id = request.business_id,
          .tool = request.tool,
          .correlation_id = request.correlation_id,
          .reply_to = request.reply_to,
          .text = stored.answer.text,
          .failed = stored.answer.failed,
          .completed_at = stored.completed_at,
          .trace_id = request.trace_id};
}

}  // namespace

ToolCallAnswerer::ToolCallAnswerer(db::ConnectionPool& pool, KafkaProducer& producer,
                                   prometheus::Registry& registry, Clock now_ms)
    : pool_(pool),
      store_(pool),
      producer_(producer),
      now_ms_(std::move(now_ms)),
      calls_(prometheus::BuildCounter()
                 .Name("switchboard_tools_calls_total")
                 .Help("Vapi tool calls handled, by outcome (result, error, repeated, expired, "
                       "no_caller, malformed, refused)")
                 .Register(registry)) {
  // Every outcome's series exists from the start, so a rate() alert sees the first one.
  for (const char* outcome : kOutcomes) calls_.Add({{"outcome", outcome}});
}

Outcome ToolCallAnswerer::Refuse(const char* outcome, std::string reason) {
  calls_.Add({{"outcome", outcome}}).Increment();
  return Outcome::DeadLetter(std::move(reason));
}

ToolCallAnswerer::Answered ToolCallAnswerer::Answer(const topics::ToolCallRequest& request,
                                                    std::int64_t started_ms,
                                                    std::int64_t deadline_ms) {
  PreparedCall prepared = store_.Prepare(request);
  if (prepared.answered) return {*std::move(prepared.answered), "repeated"};
  if (started_ms > deadline_ms) {
    // Ingest has answered Vapi with an apology: running the tool now (a booking) would do what
    // the caller was told did not happen. Not stored: a redelivery is late as well.
    return {{DeadlinePassed(), FormatUtcMillis(now_ms_())}, "expired"};
  }
  SpokenAnswer answer;
  const char* outcome = nullptr;
  if (!prepared.customer_id && NeedsCaller(request.tool)) {
    answer = CallerNumberNeeded();
    outcome = "no_caller";
  } else {
    const agent::ToolScope scope{
        .business_id = request.business_id,
        // Without a number only the tools that never read the customer run (NeedsCaller); they
        // get an id that names no row.
        .customer_id = prepared.customer_id.value_or(
            EventIdFor({"tools: no caller", request.business_id, request.call_id})),
        .conversation_id = calls::CallConversationId(request.business_id, request.call_id),
        .now = std::chrono::floor<std::chrono::seconds>(
            std::chrono::sys_time<std::chrono::milliseconds>(
                std::chrono::milliseconds(started_ms)))};
    if (request.tool == "send_to_human") {
      store_.OpenCallConversation(request, scope.customer_id, scope.conversation_id);
    }
    answer = SpeakToolResult(request.tool,
                             agent::RunTool(pool_, scope, request.tool, request.arguments_json));
    outcome = answer.failed ? "error" : "result";
  }
  return {store_.Save(request, prepared.customer_id, answer, FormatUtcMillis(now_ms_())), outcome};
}

Outcome ToolCallAnswerer::Handle(const ConsumedRecord& record) {
  const std::int64_t started_ms = now_ms_();
  auto parsed = topics::ToolsRequests::Decode(record);
  std::optional<std::int64_t> deadline_ms;
  if (parsed) {
    deadline_ms = ParseInstantMs(parsed->deadline_at);
    if (!deadline_ms) {
      parsed = Error{std::string(topics::ToolsRequests::kTopic) +
                     ": deadline_at is not an ISO-8601 instant"};
    }
  }
  if (!parsed) {
    Log(LogLevel::kError, "malformed tool call request",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(FindHeader(record.headers, "trace-id").value_or(""))}});
    return Refuse("malformed", parsed.error().message);
  }
  const topics::ToolCallRequest& request = *parsed;

  Answered answered;
  try {
    answered = Answer(request, started_ms, *deadline_ms);
  } catch (const pqxx::data_exception& e) {
    // A business_id that is not a UUID fails the same every time.
    Log(LogLevel::kError, "tool call refused by the database",
        {{"error", e.what()},
         {"call_id", request.call_id},
         {"tool_call_id", request.tool_call_id},
         {"trace_id", request.trace_id}});
    return Refuse("refused", std::string(topics::ToolsRequests::kTopic) + ": " + e.what());
  } catch (const pqxx::foreign_key_violation& e) {
    Log(LogLevel::kError, "tool call of an unknown business",
        {{"business_id", request.business_id},
         {"call_id", request.call_id},
         {"tool_call_id", request.tool_call_id},
         {"trace_id", request.trace_id}});
    return Refuse("refused", std::string(topics::ToolsRequests::kTopic) + ": unknown business " +
                                 request.business_id);
  }

  const StoredAnswer& stored = answered.stored;
  const char* outcome = answered.outcome;
  const OutboundRecord answer = topics::ToolsResults::Encode(ResultOf(request, stored));
  if (const auto error = producer_.ProduceAndWait({&answer, 1})) {
    throw RetryableError("producing " + answer.topic + ": " + error->message);
  }
  calls_.Add({{"outcome", outcome}}).Increment();
  Log(LogLevel::kInfo, "tool call answered",
      {{"outcome", outcome},
       {"tool", request.tool},
       {"failed", stored.answer.failed},
       {"business_id", request.business_id},
       {"call_id", request.call_id},
       {"tool_call_id", request.tool_call_id},
       {"reply_to", request.reply_to},
       {"latency_ms", now_ms_() - started_ms},
       {"trace_id", request.trace_id}});
  return Outcome::Done();
}

}  // namespace switchboard::tools
