#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/backoff.hpp"
#include "common/config.hpp"
#include "common/result.hpp"

namespace switchboard {

/// Where and how to reach an OpenAI-compatible embeddings endpoint.
struct EmbeddingsOptions {
  /// e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1; "/embeddings" is appended.
  std::string base_url;
  /// Sent as "Authorization: Bearer <key>" when not empty; never logged.
  std::string api_key;
  /// The model name requests carry; stored with every chunk vector (knowledge_chunks.
  /// embedding_model), so vectors of different models are never compared.
  std::string model;
  /// Deadline of one attempt.
  std::chrono::milliseconds timeout{10000};
  /// Further attempts after a 429, a 5xx or a transport failure.
  int max_retries = 2;
  BackoffPolicy backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(4000)};
  /// Texts per request (OpenAI accepts up to 2048).
  std::size_t batch_size = 64;
};

/// EMBEDDINGS_BASE_URL (unset: nullopt, full-text search alone; else an http(s) URL),
/// EMBEDDINGS_MODEL (text-embedding-3-small), EMBEDDINGS_API_KEY (empty; secret) and
/// EMBEDDINGS_TIMEOUT_MS (10000), read through `env` whether the endpoint is set or not;
/// problems are collected in it.
std::optional<EmbeddingsOptions> ReadEmbeddingsOptions(EnvReader& env);

/// The JSON body of an embeddings request: {"model", "input": [texts]}.
std::string EmbeddingsRequestBody(std::string_view model, const std::vector<std::string>& texts);

/// The vectors of an embeddings response body ({"data": [{"index", "embedding": [...]}]}) in
/// input order, each scaled to unit length; a non-retryable Error when the body is not such a
/// response, misses an index, or its vectors are empty or of different lengths.
Result<std::vector<std::vector<float>>> ParseEmbeddings(std::string_view body,
                                                        std::size_t expected);

/// A blocking client of an OpenAI-compatible `/embeddings` endpoint. Thread-safe.
class EmbeddingsClient final {
 public:
  explicit EmbeddingsClient(EmbeddingsOptions options, UniformRandom random = SystemRandom());

  /// One unit-length vector per text, in order (sent in batches of batch_size). Retries 429, 5xx
  /// and transport failures with backoff, then returns the last Error (retryable set); other
  /// answers are Errors at once. Never throws on the network path; errors never hold the key.
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) const;

  const std::string& Model() const { return options_.model; }
  /// Texts per request.
  std::size_t BatchSize() const { return options_.batch_size; }

 private:
  Result<std::vector<std::vector<float>>> Attempt(const std::vector<std::string>& texts) const;

  EmbeddingsOptions options_;
  std::string url_;
  UniformRandom random_;
};

}  // namespace switchboard
