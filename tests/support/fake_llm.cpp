#include "tests/support/fake_llm.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <ctime>
#include <exception>

#include "tests/support/loopback_server.hpp"

namespace switchboard::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string ErrorBody(std::string_view message, std::string_view type) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.StartObject();
  writer.Key("message");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  writer.Key("type");
  writer.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  writer.Key("param");
  writer.Null();
  writer.Key("code");
  writer.Null();
  writer.EndObject();
  writer.EndObject();
  return buffer.GetString();
}

std::string StringOf(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return "";
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

/// Message content: a string, null, or an array of parts whose text parts are joined.
std::string ContentOf(const rapidjson::Value& message) {
  const auto it = message.FindMember("content");
  if (it == message.MemberEnd()) return "";
  if (it->value.IsString()) return it->value.GetString();
  std::string text;
  if (it->value.IsArray()) {
    for (const auto& part : it->value.GetArray()) text += StringOf(part, "text");
  }
  return text;
}

/// A rough token count (four characters a token), as good as a fake needs.
int Tokens(std::size_t characters) {
  return static_cast<int>(characters / 4 + 1);
}

std::string_view PathOf(const HttpRequest& request) {
  std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

bool IsString(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString();
}

std::string MessageProblem(const rapidjson::Value& message, std::size_t index) {
  const std::string at = "messages[" + std::to_string(index) + "]";
  if (!message.IsObject()) return at + " is not an object";
  const std::string role = StringOf(message, "role");
  if (role != "system" && role != "user" && role != "assistant" && role != "tool") {
    return at + ".role must be system, user, assistant or tool";
  }
  const auto content = message.FindMember("content");
  if (content == message.MemberEnd() || content->value.IsNull()) {
    return at + ".content: Input should be a valid string (got null or nothing)";
  }
  if (!content->value.IsString() && !(role == "user" && content->value.IsArray())) {
    return at + ".content must be a string";
  }
  if (role == "tool" && !IsString(message, "tool_call_id")) {
    return at + ".tool_call_id is required for a tool message";
  }
  const auto calls = message.FindMember("tool_calls");
  if (calls != message.MemberEnd()) {
    if (role != "assistant" || !calls->value.IsArray() || calls->value.Empty()) {
      return at + ".tool_calls must be a non-empty array of an assistant message";
    }
    for (const auto& call : calls->value.GetArray()) {
      const auto function = call.IsObject() ? call.FindMember("function") : call.MemberEnd();
      if (!call.IsObject() || !IsString(call, "id") || StringOf(call, "type") != "function" ||
          function == call.MemberEnd() || !function->value.IsObject() ||
          !IsString(function->value, "name") || !IsString(function->value, "arguments")) {
        return at + ".tool_calls[] must be {id, type: function, function: {name, arguments}}";
      }
    }
  }
  return "";
}

}  // namespace

std::string ChatRequestProblem(const rapidjson::Value& body) {
  if (!body.IsObject()) return "request body is not a JSON object";
  if (!IsString(body, "model")) return "'model' is a required string";
  const auto messages = body.FindMember("messages");
  if (messages == body.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
    return "'messages' is a required non-empty array";
  }
  std::vector<std::string> unanswered;  // tool call ids of the last assistant turn
  std::size_t index = 0;
  for (const auto& message : messages->value.GetArray()) {
    if (std::string problem = MessageProblem(message, index); !problem.empty()) return problem;
    const std::string role = StringOf(message, "role");
    const std::string at = "messages[" + std::to_string(index++) + "]";
    if (role == "tool") {
      const auto answered =
          std::find(unanswered.begin(), unanswered.end(), StringOf(message, "tool_call_id"));
      if (answered == unanswered.end()) {
        return at + " answers no tool call of the assistant turn before it";
      }
      unanswered.erase(answered);
      continue;
    }
    if (!unanswered.empty()) return at + ": tool call " + unanswered.front() + " has no answer";
    const auto calls = message.FindMember("tool_calls");
    if (calls != message.MemberEnd()) {
      for (const auto& call : calls->value.GetArray()) unanswered.push_back(StringOf(call, "id"));
    }
  }
  if (!unanswered.empty()) return "tool call " + unanswered.front() + " has no answer";
  const auto tools = body.FindMember("tools");
  if (tools != body.MemberEnd()) {
    if (!tools->value.IsArray()) return "'tools' must be an array";
    for (const auto& tool : tools->value.GetArray()) {
      const auto function = tool.IsObject() ? tool.FindMember("function") : tool.MemberEnd();
      if (!tool.IsObject() || StringOf(tool, "type") != "function" ||
          function == tool.MemberEnd() || !IsString(function->value, "name") ||
          !function->value.HasMember("parameters") || !function->value["parameters"].IsObject()) {
        return "tools[] must be {type: function, function: {name, parameters}}";
      }
    }
  }
  const auto max_tokens = body.FindMember("max_tokens");
  if (max_tokens != body.MemberEnd() &&
      (!max_tokens->value.IsInt64() || max_tokens->value.GetInt64() < 1)) {
    return "'max_tokens' must be a positive integer";
  }
  const auto temperature = body.FindMember("temperature");
  if (temperature != body.MemberEnd() &&
      (!temperature->value.IsNumber() || temperature->value.GetDouble() < 0 ||
       temperature->value.GetDouble() > 2)) {
    return "'temperature' must be a number between 0 and 2";
  }
  return "";
}

std::string FakeLlmCall::LastUserMessage() const {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role == "user") return it->content;
  }
  return "";
}

FakeLlmReply FakeLlmReply::Text(std::string text) {
  FakeLlmReply reply;
  reply.content = std::move(text);
  return reply;
}

FakeLlmReply FakeLlmReply::ToolCall(std::string name, std::string arguments_json) {
  FakeLlmReply reply;
  reply.tool_calls.push_back({"", std::move(name), std::move(arguments_json)});
  return reply;
}

FakeLlmReply FakeLlmReply::HttpError(int status, std::string body) {
  FakeLlmReply reply;
  reply.http_status = status;
  reply.error_body = body.empty()
                         ? ErrorBody("fake error " + std::to_string(status),
                                     status == 429 ? "rate_limit_exceeded" : "server_error")
                         : std::move(body);
  return reply;
}

FakeLlm::FakeLlm() : FakeLlm(Options{}) {}

FakeLlm::FakeLlm(Options options) : options_(options), delay_ms_(options.delay.count()) {
  server_ = std::make_unique<LoopbackServer>(
      [this](HttpRequest request) { return Handle(std::move(request)); }, options_.port,
      options_.threads);
}

FakeLlm::~FakeLlm() {
  server_.reset();
}

std::string FakeLlm::Url() const {
  return server_->Url();
}

unsigned short FakeLlm::Port() const {
  return server_->Port();
}

void FakeLlm::SetScript(FakeLlmScript script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
}

void FakeLlm::SetDelay(std::chrono::milliseconds delay) {
  delay_ms_ = delay.count();
}

std::vector<FakeLlmCall> FakeLlm::Calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> FakeLlm::Refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

bool FakeLlm::WaitForCalls(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return calls_.size() >= count; });
}

asio::awaitable<HttpResponse> FakeLlm::Handle(HttpRequest request) {
  const std::string_view path = PathOf(request);
  std::chrono::milliseconds delay{delay_ms_.load()};
  std::pair<int, std::string> answer;
  if (request.method() == http::verb::post &&
      (path == "/v1/chat/completions" || path == "/chat/completions")) {
    answer = ChatCompletion(request, delay);
  } else if (request.method() == http::verb::post &&
             (path == "/v1/embeddings" || path == "/embeddings")) {
    answer = Embeddings(request);
  } else {
    answer = {404, ErrorBody("unknown path", "invalid_request_error")};
    delay = std::chrono::milliseconds::zero();
  }
  if (delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return MakeResponse(request, static_cast<http::status>(answer.first), std::move(answer.second),
                         "application/json");
}

std::pair<int, std::string> FakeLlm::ChatCompletion(const HttpRequest& request,
                                                    std::chrono::milliseconds& delay) {
  rapidjson::Document body;
  body.Parse(request.body().data(), request.body().size());
  if (body.HasParseError() || !body.IsObject()) {
    return {400, ErrorBody("request body is not a JSON object", "invalid_request_error")};
  }
  if (const std::string problem = ChatRequestProblem(body); !problem.empty()) {
    std::lock_guard lock(mutex_);
    refused_.push_back(problem);
    return {400, ErrorBody(problem, "invalid_request_error")};
  }
  const auto messages = body.FindMember("messages");

  FakeLlmCall call;
  call.model = StringOf(body, "model");
  if (body.HasMember("max_tokens")) call.max_tokens = body["max_tokens"].GetInt64();
  if (body.HasMember("temperature")) call.temperature = body["temperature"].GetDouble();
  call.raw_body = request.body();
  call.arrived = std::chrono::steady_clock::now();
  for (const auto& field : request) {
    call.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  std::size_t prompt_characters = 0;
  for (const auto& item : messages->value.GetArray()) {
    if (!item.IsObject()) {
      return {400, ErrorBody("each message must be an object", "invalid_request_error")};
    }
    FakeLlmMessage message{
        StringOf(item, "role"), ContentOf(item), StringOf(item, "tool_call_id"), {}};
    const auto calls = item.FindMember("tool_calls");
    if (calls != item.MemberEnd() && calls->value.IsArray()) {
      for (const auto& tool_call : calls->value.GetArray()) {
        const auto function =
            tool_call.IsObject() ? tool_call.FindMember("function") : tool_call.MemberEnd();
        if (!tool_call.IsObject() || function == tool_call.MemberEnd()) continue;
        message.tool_calls.push_back({StringOf(tool_call, "id"), StringOf(function->value, "name"),
                                      StringOf(function->value, "arguments")});
      }
    }
    prompt_characters += message.content.size();
    call.messages.push_back(std::move(message));
  }
  const auto tools = body.FindMember("tools");
  if (tools != body.MemberEnd() && tools->value.IsArray()) {
    for (const auto& tool : tools->value.GetArray()) {
      const auto function = tool.IsObject() ? tool.FindMember("function") : tool.MemberEnd();
      if (tool.IsObject() && function != tool.MemberEnd()) {
        call.tool_names.push_back(StringOf(function->value, "name"));
      }
    }
  }

  FakeLlmScript script;
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(call);
    script = script_;
  }
  arrived_.notify_all();

  FakeLlmReply reply;
  try {
    reply = script ? script(call) : FakeLlmReply::Text("You said: " + call.LastUserMessage());
  } catch (const std::exception& e) {
    return {500, ErrorBody(std::string("fake LLM script threw: ") + e.what(), "server_error")};
  }
  if (reply.delay) delay = *reply.delay;
  if (reply.http_status != 200) return {reply.http_status, reply.error_body};
  if (!reply.raw_body.empty()) return {200, reply.raw_body};

  const std::size_t id = ++next_id_;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("id");
  writer.String("chatcmpl-fake-" + std::to_string(id));
  writer.Key("object");
  writer.String("chat.completion");
  writer.Key("created");
  writer.Int64(static_cast<std::int64_t>(std::time(nullptr)));
  writer.Key("model");
  writer.String(call.model.empty() ? std::string("fake-model") : call.model);
  writer.Key("choices");
  writer.StartArray();
  writer.StartObject();
  writer.Key("index");
  writer.Int(0);
  writer.Key("message");
  writer.StartObject();
  writer.Key("role");
  writer.String("assistant");
  writer.Key("content");
  if (reply.tool_calls.empty() || !reply.content.empty()) {
    writer.String(reply.content);
  } else {
    writer.Null();  // as the real API sends alongside tool calls
  }
  std::size_t completion_characters = reply.content.size();
  const auto write_arguments = [&](const std::string& arguments) {
    rapidjson::Document object;
    object.Parse(arguments.c_str(), arguments.size());
    if (reply.arguments_as_object && !object.HasParseError()) {
      object.Accept(writer);
    } else {
      writer.String(arguments);
    }
  };
  if (reply.legacy_function_call && !reply.tool_calls.empty()) {
    writer.Key("function_call");
    writer.StartObject();
    writer.Key("name");
    writer.String(reply.tool_calls.front().name);
    writer.Key("arguments");
    write_arguments(reply.tool_calls.front().arguments);
    writer.EndObject();
  } else if (!reply.tool_calls.empty()) {
    writer.Key("tool_calls");
    writer.StartArray();
    std::size_t index = 0;
    for (const auto& tool_call : reply.tool_calls) {
      writer.StartObject();
      writer.Key("id");
      writer.String(tool_call.id.empty()
                        ? "call_" + std::to_string(id) + "_" + std::to_string(index)
                        : tool_call.id);
      writer.Key("type");
      writer.String("function");
      writer.Key("function");
      writer.StartObject();
      writer.Key("name");
      writer.String(tool_call.name);
      writer.Key("arguments");
      write_arguments(tool_call.arguments);
      writer.EndObject();
      writer.EndObject();
      completion_characters += tool_call.name.size() + tool_call.arguments.size();
      ++index;
    }
    writer.EndArray();
  }
  writer.EndObject();
  writer.Key("finish_reason");
  writer.String(reply.tool_calls.empty()     ? "stop"
                : reply.legacy_function_call ? "function_call"
                                             : "tool_calls");
  writer.EndObject();
  writer.EndArray();
  writer.Key("usage");
  writer.StartObject();
  const int prompt_tokens = Tokens(prompt_characters);
  const int completion_tokens = Tokens(completion_characters);
  writer.Key("prompt_tokens");
  writer.Int(prompt_tokens);
  writer.Key("completion_tokens");
  writer.Int(completion_tokens);
  writer.Key("total_tokens");
  writer.Int(prompt_tokens + completion_tokens);
  writer.EndObject();
  writer.EndObject();
  return {200, buffer.GetString()};
}

std::pair<int, std::string> FakeLlm::Embeddings(const HttpRequest& request) {
  rapidjson::Document body;
  body.Parse(request.body().data(), request.body().size());
  if (body.HasParseError() || !body.IsObject()) {
    return {400, ErrorBody("request body is not a JSON object", "invalid_request_error")};
  }
  std::vector<std::string> inputs;
  const auto input = body.FindMember("input");
  if (input != body.MemberEnd() && input->value.IsString()) {
    inputs.emplace_back(input->value.GetString());
  } else if (input != body.MemberEnd() && input->value.IsArray()) {
    for (const auto& item : input->value.GetArray()) {
      if (!item.IsString()) {
        return {400, ErrorBody("'input' must be strings", "invalid_request_error")};
      }
      inputs.emplace_back(item.GetString());
    }
  } else {
    return {400, ErrorBody("'input' is a required property", "invalid_request_error")};
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("object");
  writer.String("list");
  writer.Key("data");
  writer.StartArray();
  std::size_t characters = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    characters += inputs[i].size();
    // FNV-1a per dimension, then unit length: equal texts get equal vectors on every run.
    std::vector<double> vector(options_.embedding_dimensions);
    double norm = 0;
    for (std::size_t d = 0; d < vector.size(); ++d) {
      std::uint64_t hash = 14695981039346656037ull ^ d;
      for (unsigned char c : inputs[i]) hash = (hash ^ c) * 1099511628211ull;
      vector[d] = static_cast<double>(hash % 2001) / 1000.0 - 1.0;
      norm += vector[d] * vector[d];
    }
    norm = norm > 0 ? std::sqrt(norm) : 1.0;
    writer.StartObject();
    writer.Key("object");
    writer.String("embedding");
    writer.Key("index");
    writer.Uint64(i);
    writer.Key("embedding");
    writer.StartArray();
    for (double value : vector) writer.Double(value / norm);
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("model");
  const std::string model = StringOf(body, "model");
  writer.String(model.empty() ? std::string("fake-embedding") : model);
  writer.Key("usage");
  writer.StartObject();
  writer.Key("prompt_tokens");
  writer.Int(Tokens(characters));
  writer.Key("total_tokens");
  writer.Int(Tokens(characters));
  writer.EndObject();
  writer.EndObject();
  return {200, buffer.GetString()};
}

}  // namespace switchboard::testing
