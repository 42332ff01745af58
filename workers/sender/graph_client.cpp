#include "workers/sender/graph_client.hpp"

#include <array>
#include <stdexcept>

#include "common/json.hpp"

namespace switchboard::sender {
namespace {

// Graph error codes that say "not now" rather than "never" (platforms.md): throughput (130429),
// pair rate limit (131056), app/account rate limits (4, 80007, 613), temporary errors (131000
// "something went wrong", 131016 service unavailable, 2 temporary downtime).
constexpr std::array<int, 8> kTransientCodes = {130429, 131056, 4, 80007, 131000, 131016, 2, 613};
constexpr int kOutsideWindowCode = 131047;

std::string WhatsAppBody(const OutgoingText& message) {
  json::Writer writer;
  writer.StartObject()
      .Field("messaging_product", "whatsapp")
      .Field("recipient_type", "individual")
      .Field("to", message.recipient_id);
  if (!message.reply_to_platform_message_id.empty()) {
    writer.Key("context")
        .StartObject()
        .Field("message_id", message.reply_to_platform_message_id)
        .EndObject();
  }
  writer.Field("type", "text")
      .Key("text")
      .StartObject()
      .Field("preview_url", false)
      .Field("body", message.text)
      .EndObject();
  return writer.EndObject().Take();
}

std::string SendApiBody(const OutgoingText& message) {
  json::Writer writer;
  writer.StartObject()
      .Key("recipient")
      .StartObject()
      .Field("id", message.recipient_id)
      .EndObject()
      .Field("messaging_type", "RESPONSE")
      .Key("message")
      .StartObject()
      .Field("text", message.text)
      .EndObject();
  return writer.EndObject().Take();
}

/// The id a 2xx answer carries: WhatsApp messages[0].id, Send API message_id.
std::string SentId(std::string_view channel, const json::Value& body) {
  if (channel != "whatsapp") return json::String(body, "message_id").value_or("");
  const json::Value* messages = json::Find(body, "messages");
  if (messages == nullptr || !messages->IsArray() || messages->Empty()) return {};
  return json::String((*messages)[0], "id").value_or("");
}

bool IsTransientCode(int code) {
  for (int transient : kTransientCodes) {
    if (code == transient) return true;
  }
  return false;
}

}  // namespace

std::string SendResult::ErrorJson() const {
  json::Writer writer;
  writer.StartObject().Field("reason", reason);
  if (error_code) writer.Field("code", *error_code);
  if (http_status != 0) writer.Field("http_status", http_status);
  writer.Field("message", detail).NonEmptyField("fbtrace_id", fbtrace_id);
  return writer.EndObject().Take();
}

HttpClientRequest BuildSendRequest(const GraphConfig& config, const OutgoingText& message,
                                   std::string_view access_token) {
  HttpClientRequest request;
  request.method = "POST";
  request.timeout = config.timeout;
  request.headers = {{"Authorization", "Bearer " + std::string(access_token)},
                     {"Content-Type", "application/json"}};
  const std::string base = config.base_url + "/" + config.version + "/";
  if (message.channel == "whatsapp") {
    request.url = base + message.channel_account_id + "/messages";
    request.body = WhatsAppBody(message);
  } else if (message.channel == "messenger" || message.channel == "instagram") {
    // The page (or Instagram account) token identifies the sender, so /me needs no account id.
    request.url = base + "me/messages";
    request.body = SendApiBody(message);
  } else {
    throw std::invalid_argument("BuildSendRequest: unsupported channel " + message.channel);
  }
  return request;
}

SendResult ClassifySendResponse(std::string_view channel, const HttpClientResponse& response) {
  SendResult result;
  result.http_status = response.status;
  const auto document = json::Parse(response.body, json::InvalidUtf8::kKeep);
  const bool parsed = document.ok() && document->IsObject();
  const json::Value empty(json::Type::kObjectType);
  const json::Value& body = parsed ? *document : empty;

  if (response.status >= 200 && response.status < 300) {
    result.verdict = SendVerdict::kSent;
    if (parsed) result.platform_message_id = SentId(channel, body);
    return result;
  }

  result.retry_after = RetryAfter(response);
  const json::Value* error = json::Find(body, "error");
  if (error != nullptr && error->IsObject()) {
    const json::Value* code = json::Find(*error, "code");
    if (code != nullptr && code->IsInt()) result.error_code = code->GetInt();
    result.detail = json::String(*error, "message").value_or("");
    result.fbtrace_id = json::String(*error, "fbtrace_id").value_or("");
  } else {
    result.detail = "HTTP " + std::to_string(response.status) + " without a Graph error body";
  }

  // Meta answers several rate limits with HTTP 400, so the code decides before the status does.
  if (result.error_code && IsTransientCode(*result.error_code)) {
    result.verdict = SendVerdict::kTransient;
    result.reason = "graph_error_" + std::to_string(*result.error_code);
  } else if (result.error_code == kOutsideWindowCode) {
    result.verdict = SendVerdict::kPermanent;
    result.reason = "outside_24h_window";
  } else if (response.status == 429 || response.status == 408 || response.status >= 500) {
    result.verdict = SendVerdict::kTransient;
    result.reason = "http_" + std::to_string(response.status);
  } else {
    result.verdict = SendVerdict::kPermanent;
    result.reason = result.error_code ? "graph_error_" + std::to_string(*result.error_code)
                                      : "http_" + std::to_string(response.status);
  }
  return result;
}

SendResult ClassifyTransportError(const HttpError& error) {
  SendResult result;
  result.detail = error.message;
  // Whether bytes left decides, not `retryable`: resending a request the platform may have
  // acted on could send the customer the reply twice.
  if (error.request_written) {
    result.verdict = SendVerdict::kUnknown;
    result.reason = "outcome_unknown";
  } else {
    result.verdict = SendVerdict::kTransient;
    result.reason = "not_connected";
  }
  return result;
}

SendResult GraphClient::SendText(const OutgoingText& message, std::string_view access_token) const {
  const auto answer = HttpFetch(BuildSendRequest(config_, message, access_token));
  if (!answer) return ClassifyTransportError(answer.error());
  return ClassifySendResponse(message.channel, *answer);
}

}  // namespace switchboard::sender
