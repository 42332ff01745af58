#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "common/http_server.hpp"

namespace switchboard::testing {

class LoopbackServer;

/// One tool call, in a request's history or in a scripted reply.
struct FakeLlmToolCall {
  std::string id;         // "call_N"; assigned by the fake when a reply leaves it empty
  std::string name;       // the function name
  std::string arguments;  // the arguments as a JSON text, e.g. {"date":"2025-01-02"}
};

/// One message of a chat completion request.
struct FakeLlmMessage {
  std::string role;                         // system, user, assistant, tool
  std::string content;                      // text parts joined; "" when null
  std::string tool_call_id;                 // for role "tool"
  std::vector<FakeLlmToolCall> tool_calls;  // for role "assistant"
};

/// A chat completion request as the fake parsed it.
struct FakeLlmCall {
  std::string model;
  std::vector<FakeLlmMessage> messages;
  /// The names of the functions offered in tools[].
  std::vector<std::string> tool_names;
  std::vector<std::pair<std::string, std::string>> headers;
  /// max_tokens and temperature when the request carried them.
  std::optional<std::int64_t> max_tokens;
  std::optional<double> temperature;
  std::string raw_body;
  std::chrono::steady_clock::time_point arrived;

  /// The content of the last message with role "user", or "".
  std::string LastUserMessage() const;
};

/// What the fake answers to one call: text, tool calls, or an HTTP error.
struct FakeLlmReply {
  std::string content;
  std::vector<FakeLlmToolCall> tool_calls;  // non-empty: finish_reason "tool_calls"
  int http_status = 200;                    // not 200: answers `error_body` with this status
  std::string error_body;
  /// Not empty: the whole 200 answer, sent as is (a body no well-behaved writer would make).
  std::string raw_body;
  /// Overrides the fake's delay for this answer.
  std::optional<std::chrono::milliseconds> delay;
  /// Answers the tool call in the legacy form older servers use: one `function_call`
  /// {name, arguments} instead of `tool_calls` (only the first call).
  bool legacy_function_call = false;
  /// Writes each call's arguments as a JSON object instead of a JSON string (some servers do).
  bool arguments_as_object = false;

  /// An assistant message with `text`.
  static FakeLlmReply Text(std::string text);
  /// An assistant message calling `name` with `arguments_json`.
  static FakeLlmReply ToolCall(std::string name, std::string arguments_json);
  /// An HTTP error; `body` defaults to an OpenAI-style {"error":{...}} object.
  static FakeLlmReply HttpError(int status, std::string body = "");
};

/// Decides the reply to one call; runs on the fake's thread (keep it quick and thread-safe).
using FakeLlmScript = std::function<FakeLlmReply(const FakeLlmCall&)>;

/// The first reason the strictest common servers (llama.cpp's pydantic schema, vLLM, OpenAI)
/// refuse this chat completion request body, or "" when they all accept it: messages with a role
/// of system/user/assistant/tool and string content (never null; an assistant turn that only
/// calls tools carries ""), each tool call of an assistant turn answered by one tool message
/// right after it (tool_call_id), no tool message answering anything else, tools as
/// {type: function, function: {name, parameters}}, max_tokens a positive integer and temperature
/// a number in [0, 2] when present.
std::string ChatRequestProblem(const rapidjson::Value& body);

/// A fake OpenAI-compatible LLM on 127.0.0.1: `POST /v1/chat/completions` (or /chat/completions)
/// refuses with 400 what ChatRequestProblem finds and otherwise answers in the real
/// chat.completion format, `POST /v1/embeddings` (or /embeddings) with a
/// deterministic hash-based vector. Delays run on Asio timers, so hundreds of delayed requests
/// are in flight at once. Without a script it replies "You said: <last user message>".
class FakeLlm final {
 public:
  struct Options {
    unsigned short port = 0;
    std::chrono::milliseconds delay{0};
    int threads = 1;
    std::size_t embedding_dimensions = 8;
  };

  /// Listens at once on its own thread(s); throws when it cannot bind.
  FakeLlm();
  explicit FakeLlm(Options options);
  ~FakeLlm();
  FakeLlm(const FakeLlm&) = delete;
  FakeLlm& operator=(const FakeLlm&) = delete;

  /// "http://127.0.0.1:<port>" (clients append /v1/chat/completions).
  std::string Url() const;

  /// The port it listens on.
  unsigned short Port() const;

  /// Replaces the reply function; an empty one restores the default echo.
  void SetScript(FakeLlmScript script);

  /// Sets the delay before each answer (replies may override it).
  void SetDelay(std::chrono::milliseconds delay);

  /// Every chat completion call parsed so far, in arrival order.
  std::vector<FakeLlmCall> Calls() const;

  /// Why each refused request was refused (ChatRequestProblem), in arrival order.
  std::vector<std::string> Refused() const;

  /// Waits until at least `count` calls arrived or `timeout` passed; true when they did.
  bool WaitForCalls(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  boost::asio::awaitable<HttpResponse> Handle(HttpRequest request);
  std::pair<int, std::string> ChatCompletion(const HttpRequest& request,
                                             std::chrono::milliseconds& delay);
  std::pair<int, std::string> Embeddings(const HttpRequest& request);

  Options options_;
  std::atomic<long long> delay_ms_;
  std::atomic<std::size_t> next_id_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<FakeLlmCall> calls_;
  std::vector<std::string> refused_;
  FakeLlmScript script_;
  std::unique_ptr<LoopbackServer> server_;  // last: its handler uses the members above
};

}  // namespace switchboard::testing
