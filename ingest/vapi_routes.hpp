#pragma once

#include <utility>  // before Asio 1.18's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/http_server.hpp"
#include "common/kafka_record.hpp"
#include "ingest/tool_call_waiters.hpp"
#include "ingest/vapi_assistant.hpp"
#include "ingest/vapi_auth.hpp"
#include "ingest/vapi_message.hpp"
#include "ingest/voice_directory.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::ingest {

/// Everything POST /webhooks/vapi is configured with.
struct VapiSettings {
  VapiAuthSettings auth;
  AssistantSettings assistant;
  /// How long a tool-calls request waits for results before the missing ones get an apology.
  std::chrono::milliseconds tool_deadline{4000};
  /// This instance's id: the reply_to of its tool calls (ingest/tool_results_listener).
  std::string instance_id;
};

/// Produces records and waits for the broker (IngestRoutes::ProduceAll in production).
using ProduceAllFunction =
    std::function<boost::asio::awaitable<bool>(const std::vector<OutboundRecord>&)>;

/// Vapi's server URL, POST /webhooks/vapi (see README "Vapi voice"): authenticates, keeps every
/// authenticated body in webhooks.raw, finds the tenant in the in-memory VoiceDirectory, and
/// answers assistant-request with the tenant's assistant, tool-calls with the tools stage's
/// results (tools.requests out, tools.results back through ToolCallWaiters, in call order, an
/// apology for those missing at the deadline), end-of-call-report once voice.events holds it,
/// and every other type with 200.
class VapiRoutes final {
 public:
  VapiRoutes(VapiSettings settings, const VoiceDirectory& directory, ToolCallWaiters& waiters,
             ProduceAllFunction produce_all, prometheus::Registry& registry);
  ~VapiRoutes();

  /// Answers one request to /webhooks/vapi.
  boost::asio::awaitable<HttpResponse> Handle(const HttpRequest& request);

 private:
  struct Metrics;
  struct Delivery;

  boost::asio::awaitable<HttpResponse> AnswerToolCalls(const HttpRequest& request,
                                                       const Delivery& delivery);
  boost::asio::awaitable<HttpResponse> AnswerAssistantRequest(const HttpRequest& request,
                                                              const Delivery& delivery);
  boost::asio::awaitable<HttpResponse> Acknowledge(const HttpRequest& request,
                                                   const Delivery& delivery,
                                                   std::vector<OutboundRecord> records);

  VapiSettings settings_;
  const VoiceDirectory& directory_;
  ToolCallWaiters& waiters_;
  ProduceAllFunction produce_all_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace switchboard::ingest
