#include "ingest/vapi_routes.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <boost/asio/this_coro.hpp>

#include "common/dead_letter.hpp"
#include "common/encoding.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/voice_events.hpp"
#include "common/topics/webhooks_raw.hpp"
#include "ingest/request_ids.hpp"

namespace switchboard::ingest {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kJson = "application/json";
/// What a tool call that cannot run, or cannot be sent to the tools stage, is answered with.
constexpr std::string_view kToolUnavailable = "Sorry, I cannot do that right now.";

std::optional<std::string_view> HeaderOf(const HttpRequest& request, std::string_view name) {
  const auto field = request.find(boost::beast::string_view(name.data(), name.size()));
  if (field == request.end()) return std::nullopt;
  return std::string_view(field->value().data(), field->value().size());
}

/// One entry of a tool-calls answer.
struct ToolAnswer {
  std::string tool_call_id;
  std::string text;
  bool failed = false;
};

/// {"results":[{"toolCallId","result"|"error"}]} for tool-calls; {"result"|"error"} for the
/// legacy function-call (one call).
std::string ToolCallsAnswer(VapiMessageKind kind, const std::vector<ToolAnswer>& answers) {
  json::Writer writer;
  if (kind == VapiMessageKind::kFunctionCall) {
    const ToolAnswer& answer = answers.front();
    return writer.StartObject()
        .Field(answer.failed ? "error" : "result", answer.text)
        .EndObject()
        .Take();
  }
  writer.StartObject().Key("results").StartArray();
  for (const ToolAnswer& answer : answers) {
    writer.StartObject()
        .Field("toolCallId", answer.tool_call_id)
        .Field(answer.failed ? "error" : "result", answer.text)
        .EndObject();
  }
  return writer.EndArray().EndObject().Take();
}

/// Vapi wants single-line strings.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

}  // namespace

struct VapiRoutes::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("switchboard_vapi_requests_total")
                     .Help("Vapi server-URL requests, by message type and outcome")
                     .Register(registry)),
        tool_calls(prometheus::BuildCounter()
                       .Name("switchboard_vapi_tool_calls_total")
                       .Help("Vapi tool calls answered, by outcome (result, error, timeout, "
                             "invalid, not_sent)")
                       .Register(registry)) {}

  void Request(std::string_view type, std::string_view outcome) {
    requests.Add({{"type", std::string(type)}, {"outcome", std::string(outcome)}}).Increment();
  }
  void ToolCall(std::string_view outcome) {
    tool_calls.Add({{"outcome", std::string(outcome)}}).Increment();
  }

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& tool_calls;
};

/// One authenticated request: its body kept, parsed, and its tenant (nullptr when unknown).
struct VapiRoutes::Delivery {
  std::chrono::steady_clock::time_point started;
  std::string trace_id;
  std::int64_t received_at_ms = 0;
  OutboundRecord raw;
  VapiMessage message;
  std::shared_ptr<const VoiceIntegration> integration;
};

VapiRoutes::VapiRoutes(VapiSettings settings, const VoiceDirectory& directory,
                       ToolCallWaiters& waiters, ProduceAllFunction produce_all,
                       prometheus::Registry& registry)
    : settings_(std::move(settings)),
      directory_(directory),
      waiters_(waiters),
      produce_all_(std::move(produce_all)),
      metrics_(std::make_unique<Metrics>(registry)) {}

VapiRoutes::~VapiRoutes() = default;

asio::awaitable<HttpResponse> VapiRoutes::Handle(const HttpRequest& request) {
  if (request.method() != http::verb::post) {
    HttpResponse response = MakeResponse(request, http::status::method_not_allowed, "use POST\n");
    response.set(http::field::allow, "POST");
    co_return response;
  }
  const std::string_view body = request.body();
  const VapiAuthVerdict verdict =
      AuthenticateVapi({.secret = HeaderOf(request, "x-vapi-secret"),
                        .authorization = HeaderOf(request, "authorization"),
                        .signature = HeaderOf(request, "x-signature"),
                        .timestamp = HeaderOf(request, "x-timestamp")},
                       body, settings_.auth, std::chrono::system_clock::now());
  if (verdict != VapiAuthVerdict::kAccepted) {
    Log(LogLevel::kWarning, "vapi request refused",
        {{"reason", VerdictName(verdict)}, {"bytes", static_cast<std::int64_t>(body.size())}});
    metrics_->Request("unknown", VerdictName(verdict));
    co_return MakeResponse(request, http::status::unauthorized, "unauthorized\n");
  }

  Delivery delivery;
  delivery.started = std::chrono::steady_clock::now();
  delivery.trace_id = NewTraceId();
  delivery.received_at_ms = NowMillis();
  delivery.raw =
      topics::WebhooksRaw::Encode({.event_id = topics::WebhooksRaw::EventId(body),
                                   .source = "vapi",
                                   .received_at = FormatUtcMillis(delivery.received_at_ms),
                                   .trace_id = delivery.trace_id,
                                   .body = std::string(body)});
  Result<VapiMessage> parsed = ParseVapiMessage(body);
  if (!parsed.ok()) {
    // Kept (raw and dead letter) and acknowledged: Vapi does not retry, and nothing is lost.
    Log(LogLevel::kWarning, "vapi request kept as dead letter",
        {{"trace_id", delivery.trace_id}, {"error", parsed.error().message}});
    metrics_->Request("unreadable", "dead_letter");
    std::vector<OutboundRecord> records{delivery.raw};
    records.push_back(
        DeadLetterRecord(delivery.raw, "ingest", parsed.error().message, delivery.received_at_ms));
    co_return co_await Acknowledge(request, delivery, std::move(records));
  }
  delivery.message = std::move(parsed).value();
  delivery.integration = directory_.Find(delivery.message.call);
  if (!delivery.integration) {
    Log(LogLevel::kWarning, "vapi request for a number no voice integration has",
        {{"trace_id", delivery.trace_id},
         {"type", delivery.message.type},
         {"phone_number_id", delivery.message.call.phone_number_id},
         {"assistant_id", delivery.message.call.assistant_id},
         {"call_id", delivery.message.call.call_id}});
  }

  switch (delivery.message.kind) {
    case VapiMessageKind::kToolCalls:
    case VapiMessageKind::kFunctionCall:
      co_return co_await AnswerToolCalls(request, delivery);
    case VapiMessageKind::kAssistantRequest:
      co_return co_await AnswerAssistantRequest(request, delivery);
    case VapiMessageKind::kEndOfCallReport:
    case VapiMessageKind::kOther:
      break;
  }
  std::vector<OutboundRecord> records{delivery.raw};
  const VapiCallInfo& call = delivery.message.call;
  if (delivery.message.kind == VapiMessageKind::kEndOfCallReport && delivery.integration) {
    if (call.call_id.empty()) {
      // Without a call id the report cannot be stored once only; webhooks.raw keeps it.
      Log(LogLevel::kWarning, "vapi end-of-call report without a call id kept raw only",
          {{"trace_id", delivery.trace_id}});
    } else {
      records.push_back(
          topics::VoiceEvents::Encode({.event_id = topics::VoiceEvents::EventId(
                                           call.call_id, topics::VoiceEvents::kEndOfCallReport),
                                       .type = std::string(topics::VoiceEvents::kEndOfCallReport),
                                       .call_id = call.call_id,
                                       .business_id = delivery.integration->business_id,
                                       .caller = call.caller,
                                       .phone_number_id = call.phone_number_id,
                                       .received_at = FormatUtcMillis(delivery.received_at_ms),
                                       .report_json = delivery.message.message_json,
                                       .trace_id = delivery.trace_id}));
    }
  }
  co_return co_await Acknowledge(request, delivery, std::move(records));
}

asio::awaitable<HttpResponse> VapiRoutes::Acknowledge(const HttpRequest& request,
                                                      const Delivery& delivery,
                                                      std::vector<OutboundRecord> records) {
  const std::string_view type =
      delivery.message.type.empty() ? std::string_view("unreadable") : delivery.message.type;
  if (!co_await produce_all_(records)) {
    Log(LogLevel::kError, "vapi request not acknowledged by the broker; answering 503",
        {{"trace_id", delivery.trace_id}, {"type", type}});
    metrics_->Request(type, "broker_failed");
    co_return MakeResponse(request, http::status::service_unavailable, "try again later\n");
  }
  if (!delivery.message.type.empty()) {
    metrics_->Request(type, delivery.integration ? "accepted" : "unknown_number");
  }
  co_return MakeResponse(request, http::status::ok, "{}", kJson);
}

asio::awaitable<HttpResponse> VapiRoutes::AnswerAssistantRequest(const HttpRequest& request,
                                                                 const Delivery& delivery) {
  // The raw body is kept, but the answer does not wait on it: a call is ringing.
  const std::vector<OutboundRecord> raw{delivery.raw};
  const bool kept = co_await produce_all_(raw);
  if (!kept) {
    Log(LogLevel::kError, "vapi assistant-request not kept in webhooks.raw; answering anyway",
        {{"trace_id", delivery.trace_id}});
  }
  const VoiceIntegration* integration = delivery.integration.get();
  std::string answer;
  std::string_view outcome;
  if (integration == nullptr) {
    answer = SpokenErrorAnswer(kUnknownNumberMessage);
    outcome = "unknown_number";
  } else if (VoiceLimitReached(*integration)) {
    Log(LogLevel::kInfo, "vapi call refused: monthly voice limit reached",
        {{"trace_id", delivery.trace_id},
         {"business_id", integration->business_id},
         {"voice_seconds", integration->voice_seconds_this_month},
         {"limit_seconds", integration->monthly_voice_seconds_limit}});
    answer = SpokenErrorAnswer(integration->limit_message.empty() ? kVoiceLimitMessage
                                                                  : integration->limit_message);
    outcome = "limit_reached";
  } else {
    answer =
        AssistantAnswer(*integration, settings_.assistant,
                        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    outcome = "assistant";
  }
  metrics_->Request(delivery.message.type, outcome);
  co_return MakeResponse(request, http::status::ok, std::move(answer), kJson);
}

asio::awaitable<HttpResponse> VapiRoutes::AnswerToolCalls(const HttpRequest& request,
                                                          const Delivery& delivery) {
  const VapiMessage& message = delivery.message;
  const auto deadline = delivery.started + settings_.tool_deadline;
  const std::int64_t deadline_ms = delivery.received_at_ms + settings_.tool_deadline.count();

  std::vector<OutboundRecord> records{delivery.raw};
  std::vector<std::string> correlation_ids;
  std::vector<std::size_t> sent;  // index into message.tool_calls of each correlation id
  std::vector<ToolAnswer> answers(message.tool_calls.size());
  for (std::size_t i = 0; i < message.tool_calls.size(); ++i) {
    const VapiToolCall& call = message.tool_calls[i];
    answers[i].tool_call_id = call.id;
    if (!call.problem.empty() || !delivery.integration) {
      answers[i].text = call.problem.empty() ? std::string(kUnknownNumberMessage) : call.problem;
      answers[i].failed = true;
      metrics_->ToolCall("invalid");
      Log(LogLevel::kWarning, "vapi tool call not run",
          {{"trace_id", delivery.trace_id},
           {"tool_call_id", call.id},
           {"tool", call.name},
           {"problem", call.problem.empty() ? "unknown number" : call.problem}});
      continue;
    }
    std::string correlation_id = delivery.trace_id + "-" + std::to_string(i);
    records.push_back(topics::ToolsRequests::Encode(
        {.event_id = topics::ToolsRequests::EventId(call.id),
         .tool_call_id = call.id,
         .call_id = message.call.call_id.empty() ? call.id : message.call.call_id,
         .business_id = delivery.integration->business_id,
         .caller = message.call.caller,
         .tool = call.name,
         .arguments_json = call.arguments,
         .correlation_id = correlation_id,
         .reply_to = settings_.instance_id,
         .requested_at = FormatUtcMillis(delivery.received_at_ms),
         .deadline_at = FormatUtcMillis(deadline_ms),
         .trace_id = delivery.trace_id}));
    correlation_ids.push_back(std::move(correlation_id));
    sent.push_back(i);
  }

  // Registered before producing: a result may come back before the broker's acknowledgement.
  auto pending = waiters_.Expect(co_await asio::this_coro::executor, correlation_ids);
  if (!co_await produce_all_(records)) {
    waiters_.Forget(pending);
    Log(LogLevel::kError, "vapi tool calls not acknowledged by the broker",
        {{"trace_id", delivery.trace_id}, {"calls", static_cast<std::int64_t>(sent.size())}});
    for (const std::size_t i : sent) {
      answers[i].text = kToolUnavailable;
      answers[i].failed = true;
      metrics_->ToolCall("not_sent");
    }
    metrics_->Request(message.type, "broker_failed");
    co_return MakeResponse(request, http::status::ok, ToolCallsAnswer(message.kind, answers),
                           kJson);
  }
  auto results = co_await waiters_.Wait(pending, deadline);
  std::int64_t missing = 0;
  for (std::size_t j = 0; j < sent.size(); ++j) {
    ToolAnswer& answer = answers[sent[j]];
    if (j < results.size() && results[j]) {
      answer.text = OneLine(std::move(results[j]->text));
      answer.failed = results[j]->failed;
      metrics_->ToolCall(answer.failed ? "error" : "result");
    } else {
      answer.text = kToolTimeoutMessage;
      ++missing;
      metrics_->ToolCall("timeout");
    }
  }
  if (missing > 0) {
    Log(LogLevel::kWarning, "vapi tool calls past the deadline answered with an apology",
        {{"trace_id", delivery.trace_id},
         {"missing", missing},
         {"deadline_ms", static_cast<std::int64_t>(settings_.tool_deadline.count())}});
  }
  metrics_->Request(message.type, !delivery.integration ? "unknown_number"
                                  : missing > 0         ? "deadline_passed"
                                                        : "answered");
  co_return MakeResponse(request, http::status::ok, ToolCallsAnswer(message.kind, answers), kJson);
}

}  // namespace switchboard::ingest
