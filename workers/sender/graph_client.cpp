#include "workers/sender/graph_client.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <stdexcept>

#include "workers/sender/json_fields.hpp"

namespace switchboard::sender {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Graph error codes that say "not now" rather than "never" (platforms.md): throughput (130429),
// pair rate limit (131056), app/account rate limits (4, 80007, 613), temporary errors (131000
// "something went wrong", 131016 service unavailable, 2 temporary downtime).
constexpr std::array<int, 8> kTransientCodes = {130429, 131056, 4, 80007, 131000, 131016, 2, 613};
constexpr int kOutsideWindowCode = 131047;

void String(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string WhatsAppBody(const OutgoingText& message) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("messaging_product");
  writer.String("whatsapp");
  writer.Key("recipient_type");
  writer.String("individual");
  writer.Key("to");
  String(writer, message.recipient_id);
  if (!message.reply_to_platform_message_id.empty()) {
    writer.Key("context");
    writer.StartObject();
    writer.Key("message_id");
    String(writer, message.reply_to_platform_message_id);
    writer.EndObject();
  }
  writer.Key("type");
  writer.String("text");
  writer.Key("text");
  writer.StartObject();
  writer.Key("preview_url");
  writer.Bool(false);
  writer.Key("body");
  String(writer, message.text);
  writer.EndObject();
  writer.EndObject();
  return buffer.GetString();
}

std::string SendApiBody(const OutgoingText& message) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("recipient");
  writer.StartObject();
  writer.Key("id");
  String(writer, message.recipient_id);
  writer.EndObject();
  writer.Key("messaging_type");
  writer.String("RESPONSE");
  writer.Key("message");
  writer.StartObject();
  writer.Key("text");
  String(writer, message.text);
  writer.EndObject();
  writer.EndObject();
  return buffer.GetString();
}

const rapidjson::Value* Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

/// The id a 2xx answer carries: WhatsApp messages[0].id, Send API message_id.
std::string SentId(std::string_view channel, const rapidjson::Document& body) {
  if (channel != "whatsapp") return StringField(body, "message_id").value_or("");
  const rapidjson::Value* messages = Member(body, "messages");
  if (messages == nullptr || !messages->IsArray() || messages->Empty()) return {};
  return StringField((*messages)[0], "id").value_or("");
}

bool IsTransientCode(int code) {
  for (int transient : kTransientCodes) {
    if (code == transient) return true;
  }
  return false;
}

}  // namespace

std::string SendResult::ErrorJson() const {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("reason");
  String(writer, reason);
  if (error_code) {
    writer.Key("code");
    writer.Int(*error_code);
  }
  if (http_status != 0) {
    writer.Key("http_status");
    writer.Int(http_status);
  }
  writer.Key("message");
  String(writer, detail);
  if (!fbtrace_id.empty()) {
    writer.Key("fbtrace_id");
    String(writer, fbtrace_id);
  }
  writer.EndObject();
  return buffer.GetString();
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
  rapidjson::Document body;
  body.Parse(response.body.data(), response.body.size());
  const bool parsed = !body.HasParseError() && body.IsObject();

  if (response.status >= 200 && response.status < 300) {
    result.verdict = SendVerdict::kSent;
    if (parsed) result.platform_message_id = SentId(channel, body);
    return result;
  }

  result.retry_after = RetryAfter(response);
  const rapidjson::Value* error = parsed ? Member(body, "error") : nullptr;
  if (error != nullptr && error->IsObject()) {
    const rapidjson::Value* code = Member(*error, "code");
    if (code != nullptr && code->IsInt()) result.error_code = code->GetInt();
    result.detail = StringField(*error, "message").value_or("");
    result.fbtrace_id = StringField(*error, "fbtrace_id").value_or("");
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
