#include "workers/agent/llm_client.hpp"

#include <stdexcept>
#include <thread>

#include "common/http_client.hpp"
#include "common/json.hpp"
#include "common/log.hpp"

namespace switchboard::agent {

namespace {

void WriteMessage(json::Writer& writer, const ChatMessage& message) {
  writer.StartObject().Field("role", message.role);
  // Always a string: an assistant turn that only calls tools carries "", which OpenAI, vLLM,
  // llama.cpp and Ollama all accept (llama.cpp's server refuses null with a 500).
  writer.Field("content", message.content);
  writer.NonEmptyField("tool_call_id", message.tool_call_id);
  if (!message.tool_calls.empty()) {
    writer.Key("tool_calls").StartArray();
    for (const auto& call : message.tool_calls) {
      writer.StartObject()
          .Field("id", call.id)
          .Field("type", "function")
          .Key("function")
          .StartObject()
          .Field("name", call.name)
          .Field("arguments", call.arguments)
          .EndObject()
          .EndObject();
    }
    writer.EndArray();
  }
  writer.EndObject();
}

Error Malformed(std::string_view why) {
  return {"LLM answer is not a chat completion: " + std::string(why), false};
}

/// The arguments of a call: a JSON string as the API sends it, or the object itself as some
/// local servers do; "{}" when absent.
std::string ArgumentsOf(const json::Value& function) {
  const json::Value* arguments = json::Find(function, "arguments");
  if (arguments == nullptr || arguments->IsNull()) return "{}";
  std::string text =
      arguments->IsString() ? *json::String(function, "arguments") : json::Serialize(*arguments);
  return text.empty() ? "{}" : text;
}

/// The call in a tool_calls[] item or a legacy function_call object; an Error when it names no
/// function.
Result<LlmToolCall> ToolCallOf(const json::Value& function, std::string id) {
  LlmToolCall call{std::move(id), json::StringOr(function, "name"), ArgumentsOf(function)};
  if (call.name.empty()) return Malformed("a tool call has no function name");
  return call;
}

std::string TrimTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string ChatRequestBody(const LlmOptions& options, const std::vector<ChatMessage>& messages,
                            std::string_view tools_json) {
  const auto tools = tools_json.empty() ? json::Parse("[]") : json::Parse(tools_json);
  if (!tools.ok() || !tools->IsArray()) {
    throw std::invalid_argument("tool definitions are not a JSON array");
  }
  json::Writer writer;
  writer.StartObject().Field("model", options.model).Key("messages").StartArray();
  for (const auto& message : messages) WriteMessage(writer, message);
  writer.EndArray()
      .Field("max_tokens", static_cast<std::int64_t>(options.max_tokens))
      .Field("temperature", options.temperature);
  if (!tools_json.empty()) {
    writer.Key("tools").Copy(*tools).Field("tool_choice", "auto");
  }
  return writer.EndObject().Take();
}

Result<ChatCompletion> ParseChatCompletion(std::string_view body) {
  // Whatever bytes a model wrote are kept and repaired (json::String), never a reason to drop
  // the answer: a lone surrogate escape must not become a dead letter.
  const auto document = json::Parse(body, json::InvalidUtf8::kKeep);
  if (!document.ok() || !document->IsObject()) return Malformed("not a JSON object");
  const json::Value* choices = json::Find(*document, "choices");
  if (choices == nullptr || !choices->IsArray() || choices->Empty() || !(*choices)[0].IsObject()) {
    return Malformed("no choices");
  }
  const json::Value* message = json::Find((*choices)[0], "message");
  if (message == nullptr || !message->IsObject()) return Malformed("choices[0] has no message");
  ChatCompletion completion;
  completion.content = json::String(*message, "content").value_or("");
  const json::Value* calls = json::Find(*message, "tool_calls");
  if (calls != nullptr && calls->IsArray()) {
    for (const json::Value& item : calls->GetArray()) {
      const json::Value* function = json::Find(item, "function");
      if (function == nullptr || !function->IsObject())
        return Malformed("a tool call has no function");
      auto call = ToolCallOf(*function, json::StringOr(item, "id"));
      if (!call.ok()) return call.error();
      completion.tool_calls.push_back(std::move(call).value());
    }
  }
  // The legacy form (before tool_calls): one function_call, which has no id of its own.
  const json::Value* legacy = json::Find(*message, "function_call");
  if (completion.tool_calls.empty() && legacy != nullptr && legacy->IsObject()) {
    auto call = ToolCallOf(*legacy, "call_legacy_0");
    if (!call.ok()) return call.error();
    completion.tool_calls.push_back(std::move(call).value());
  }
  if (const json::Value* usage = json::Find(*document, "usage")) {
    completion.prompt_tokens = static_cast<int>(json::Int(*usage, "prompt_tokens").value_or(0));
    completion.completion_tokens =
        static_cast<int>(json::Int(*usage, "completion_tokens").value_or(0));
  }
  return completion;
}

LlmClient::LlmClient(LlmOptions options, UniformRandom random)
    : options_(std::move(options)),
      url_(TrimTrailingSlashes(options_.base_url) + "/chat/completions"),
      random_(std::move(random)) {}

Result<ChatCompletion> LlmClient::Complete(const std::vector<ChatMessage>& messages,
                                           std::string_view tools_json) const {
  const std::string body = ChatRequestBody(options_, messages, tools_json);
  for (int attempt = 1;; ++attempt) {
    std::optional<std::chrono::seconds> retry_after;
    auto result = Attempt(body, retry_after);
    if (result.ok() || !result.error().retryable || attempt > options_.max_retries) return result;
    auto delay = BackoffDelay(options_.backoff, attempt, random_);
    if (retry_after && *retry_after <= options_.backoff.max) delay = *retry_after;
    Log(LogLevel::kWarning, "LLM call failed, retrying",
        {{"attempt", attempt},
         {"delay_ms", static_cast<std::int64_t>(delay.count())},
         {"error", result.error().message}});
    std::this_thread::sleep_for(delay);
  }
}

Result<ChatCompletion> LlmClient::Attempt(const std::string& body,
                                          std::optional<std::chrono::seconds>& retry_after) const {
  auto answer = PostJsonApi("LLM", url_, options_.api_key, options_.timeout, body, &retry_after);
  if (!answer.ok()) return answer.error();
  return ParseChatCompletion(*answer);
}

}  // namespace switchboard::agent
