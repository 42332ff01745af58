#include "workers/agent/llm_client.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>
#include <thread>

#include "common/http_client.hpp"
#include "common/log.hpp"

namespace switchboard::agent {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteMessage(JsonWriter& writer, const ChatMessage& message) {
  writer.StartObject();
  writer.Key("role");
  WriteString(writer, message.role);
  writer.Key("content");
  // The API expects null content on an assistant message that only calls tools.
  if (message.content.empty() && !message.tool_calls.empty()) {
    writer.Null();
  } else {
    WriteString(writer, message.content);
  }
  if (!message.tool_call_id.empty()) {
    writer.Key("tool_call_id");
    WriteString(writer, message.tool_call_id);
  }
  if (!message.tool_calls.empty()) {
    writer.Key("tool_calls");
    writer.StartArray();
    for (const auto& call : message.tool_calls) {
      writer.StartObject();
      writer.Key("id");
      WriteString(writer, call.id);
      writer.Key("type");
      writer.String("function");
      writer.Key("function");
      writer.StartObject();
      writer.Key("name");
      WriteString(writer, call.name);
      writer.Key("arguments");
      WriteString(writer, call.arguments);
      writer.EndObject();
      writer.EndObject();
    }
    writer.EndArray();
  }
  writer.EndObject();
}

std::string StringOf(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

int IntOf(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : 0;
}

std::string JsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

Error Malformed(std::string_view why) {
  return {"LLM answer is not a chat completion: " + std::string(why), false};
}

std::string TrimTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

/// The start of an error body for logs and errors (an upstream message, never our request).
std::string Snippet(std::string_view body) {
  constexpr std::size_t kMax = 200;
  return std::string(body.substr(0, kMax));
}

}  // namespace

std::string ChatRequestBody(std::string_view model, const std::vector<ChatMessage>& messages,
                            std::string_view tools_json) {
  rapidjson::Document tools;
  if (!tools_json.empty()) {
    tools.Parse(tools_json.data(), tools_json.size());
    if (tools.HasParseError() || !tools.IsArray()) {
      throw std::invalid_argument("tool definitions are not a JSON array");
    }
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("model");
  WriteString(writer, model);
  writer.Key("messages");
  writer.StartArray();
  for (const auto& message : messages) WriteMessage(writer, message);
  writer.EndArray();
  if (!tools_json.empty()) {
    writer.Key("tools");
    tools.Accept(writer);
    writer.Key("tool_choice");
    writer.String("auto");
  }
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

Result<ChatCompletion> ParseChatCompletion(std::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return Malformed("not a JSON object");
  const auto choices = document.FindMember("choices");
  if (choices == document.MemberEnd() || !choices->value.IsArray() || choices->value.Empty() ||
      !choices->value[0].IsObject()) {
    return Malformed("no choices");
  }
  const auto message = choices->value[0].FindMember("message");
  if (message == choices->value[0].MemberEnd() || !message->value.IsObject()) {
    return Malformed("choices[0] has no message");
  }
  ChatCompletion completion;
  completion.content = StringOf(message->value, "content");
  const auto calls = message->value.FindMember("tool_calls");
  if (calls != message->value.MemberEnd() && calls->value.IsArray()) {
    for (const auto& call : calls->value.GetArray()) {
      const auto function = call.IsObject() ? call.FindMember("function") : call.MemberEnd();
      if (!call.IsObject() || function == call.MemberEnd() || !function->value.IsObject()) {
        return Malformed("a tool call has no function");
      }
      LlmToolCall tool_call{StringOf(call, "id"), StringOf(function->value, "name"), {}};
      const auto arguments = function->value.FindMember("arguments");
      if (arguments != function->value.MemberEnd()) {
        // The API sends a JSON string; some local servers send the object itself.
        tool_call.arguments =
            arguments->value.IsString()
                ? std::string(arguments->value.GetString(), arguments->value.GetStringLength())
                : JsonText(arguments->value);
      }
      if (tool_call.name.empty()) return Malformed("a tool call has no function name");
      if (tool_call.arguments.empty()) tool_call.arguments = "{}";
      completion.tool_calls.push_back(std::move(tool_call));
    }
  }
  if (completion.content.empty() && completion.tool_calls.empty()) {
    return Malformed("neither content nor tool calls");
  }
  const auto usage = document.FindMember("usage");
  if (usage != document.MemberEnd() && usage->value.IsObject()) {
    completion.prompt_tokens = IntOf(usage->value, "prompt_tokens");
    completion.completion_tokens = IntOf(usage->value, "completion_tokens");
  }
  return completion;
}

LlmClient::LlmClient(LlmOptions options, UniformRandom random)
    : options_(std::move(options)),
      url_(TrimTrailingSlashes(options_.base_url) + "/chat/completions"),
      random_(std::move(random)) {}

Result<ChatCompletion> LlmClient::Complete(const std::vector<ChatMessage>& messages,
                                           std::string_view tools_json) const {
  const std::string body = ChatRequestBody(options_.model, messages, tools_json);
  for (int attempt = 1;; ++attempt) {
    bool retry = false;
    std::optional<std::chrono::seconds> retry_after;
    auto result = Attempt(body, retry, retry_after);
    if (result.ok() || !retry || attempt > options_.max_retries) return result;
    auto delay = BackoffDelay(options_.backoff, attempt, random_);
    if (retry_after && *retry_after <= options_.backoff.max) delay = *retry_after;
    Log(LogLevel::kWarning, "LLM call failed, retrying",
        {{"attempt", attempt},
         {"delay_ms", static_cast<std::int64_t>(delay.count())},
         {"error", result.error().message}});
    std::this_thread::sleep_for(delay);
  }
}

Result<ChatCompletion> LlmClient::Attempt(const std::string& body, bool& retry,
                                          std::optional<std::chrono::seconds>& retry_after) const {
  HttpClientRequest request;
  request.method = "POST";
  request.url = url_;
  request.timeout = options_.timeout;
  request.body = body;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!options_.api_key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  }
  auto response = HttpFetch(request);
  if (!response.ok()) {
    retry = response.error().retryable;
    return Error{"LLM request failed: " + response.error().message, retry};
  }
  const int status = response->status;
  if (status == 429 || status >= 500) {
    retry = true;
    retry_after = RetryAfter(*response);
    return Error{"LLM answered HTTP " + std::to_string(status) + ": " + Snippet(response->body),
                 true};
  }
  if (status != 200) {
    return Error{"LLM answered HTTP " + std::to_string(status) + ": " + Snippet(response->body),
                 false};
  }
  return ParseChatCompletion(response->body);
}

}  // namespace switchboard::agent
