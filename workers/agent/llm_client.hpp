#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/backoff.hpp"
#include "common/result.hpp"

namespace switchboard::agent {

/// One function call the model asked for (OpenAI "tool_calls[]").
struct LlmToolCall {
  std::string id;
  std::string name;
  /// The arguments as the JSON text the model wrote (not validated here).
  std::string arguments;
};

/// One message of a chat completion request: system, user, assistant (with tool calls) or tool.
struct ChatMessage {
  std::string role;
  std::string content;
  /// For role "tool": the id of the call this message answers.
  std::string tool_call_id;
  /// For role "assistant": the calls it made.
  std::vector<LlmToolCall> tool_calls;
};

/// The model's answer to one request: text, tool calls, or both.
struct ChatCompletion {
  std::string content;
  std::vector<LlmToolCall> tool_calls;
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

/// Where and how to reach an OpenAI-compatible chat completions endpoint.
struct LlmOptions {
  /// e.g. http://127.0.0.1:8000/v1 or https://openrouter.ai/api/v1; "/chat/completions" is
  /// appended.
  std::string base_url;
  /// Sent as "Authorization: Bearer <key>" when not empty; never logged.
  std::string api_key;
  std::string model;
  /// Deadline of one attempt (connect, send, wait for the whole answer).
  std::chrono::milliseconds timeout{30000};
  /// The longest answer a request asks for (a chat reply is short; a runaway answer costs).
  int max_tokens = 512;
  /// Sampling temperature of every request.
  double temperature = 0.3;
  /// Further attempts after a 429, a 5xx or a transport failure (timeout, reset).
  int max_retries = 2;
  /// Wait between attempts (full jitter); a 429's Retry-After wins when it is shorter than max.
  BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(8000)};
};

/// The JSON body of a chat completion request that every OpenAI-compatible server accepts:
/// model, messages (content always a string, "" on an assistant turn that only calls tools; tool
/// results as role "tool" with tool_call_id), max_tokens and temperature from `options`, and,
/// when `tools_json` (a JSON array as text) is not empty, tools with tool_choice "auto". Throws
/// std::invalid_argument when `tools_json` is not a JSON array.
std::string ChatRequestBody(const LlmOptions& options, const std::vector<ChatMessage>& messages,
                            std::string_view tools_json);

/// The completion in a chat.completion response body: choices[0].message content (repaired to
/// valid UTF-8), tool_calls (arguments as a JSON string or an object) or the legacy
/// function_call, and usage. An empty answer is a completion with empty content (the caller's
/// guard decides on it); a non-retryable Error when the body is not a chat completion.
Result<ChatCompletion> ParseChatCompletion(std::string_view body);

/// A blocking client of an OpenAI-compatible chat completions endpoint with tool calling.
/// Thread-safe; holds no connection between calls (HttpFetch keeps per-thread keep-alives).
class LlmClient final {
 public:
  /// `random` draws the retry jitter.
  explicit LlmClient(LlmOptions options, UniformRandom random = SystemRandom());

  /// Sends `messages` (and the tools array `tools_json`, empty for none) and returns the answer.
  /// Retries 429, 5xx and transport failures up to max_retries times with backoff, then returns
  /// the last Error (retryable set for those); other 4xx and malformed answers are Errors at
  /// once. Never throws on the network path; error texts never contain the API key.
  Result<ChatCompletion> Complete(const std::vector<ChatMessage>& messages,
                                  std::string_view tools_json) const;

  /// The model name requests carry.
  const std::string& Model() const { return options_.model; }

 private:
  Result<ChatCompletion> Attempt(const std::string& body,
                                 std::optional<std::chrono::seconds>& retry_after) const;

  LlmOptions options_;
  std::string url_;
  UniformRandom random_;
};

}  // namespace switchboard::agent
