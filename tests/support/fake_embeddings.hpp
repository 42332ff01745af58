#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_server.hpp"

namespace switchboard::testing {

class LoopbackServer;

/// The fake's vector of `text`: hashed character trigrams of its lowercased words (with word
/// boundaries) and the words themselves, `dimensions` long, unit length. Texts that share words
/// or most of a word's letters (a misspelling) get similar vectors; nothing else is similar.
/// Deterministic.
std::vector<float> FakeEmbedding(std::string_view text, std::size_t dimensions);

/// A fake OpenAI-compatible embeddings endpoint on 127.0.0.1: `POST /v1/embeddings` (or
/// /embeddings) with {"model", "input": string or array of strings, "encoding_format": "float"
/// or "base64", "dimensions"} answers {"object": "list", "data": [{"object": "embedding",
/// "index", "embedding"}], "model", "usage"} like the real API, and refuses with 400 and an
/// OpenAI error object what it refuses (no model, no input, an empty string, more than 2048
/// inputs, an unknown encoding_format).
class FakeEmbeddings final {
 public:
  struct Options {
    unsigned short port = 0;
    std::size_t dimensions = 256;
  };

  FakeEmbeddings();
  explicit FakeEmbeddings(Options options);
  ~FakeEmbeddings();
  FakeEmbeddings(const FakeEmbeddings&) = delete;
  FakeEmbeddings& operator=(const FakeEmbeddings&) = delete;

  /// "http://127.0.0.1:<port>/v1", what EMBEDDINGS_BASE_URL is set to.
  std::string BaseUrl() const;

  /// The next `count` requests are answered with HTTP `status` (e.g. 503) before it serves again.
  void FailNext(int count, int status);

  /// Requests served (refused ones and injected failures included) and texts embedded.
  std::size_t Requests() const { return requests_; }
  std::size_t Inputs() const { return inputs_; }
  /// The model of every request, in arrival order.
  std::vector<std::string> Models() const;

 private:
  boost::asio::awaitable<HttpResponse> Handle(HttpRequest request);
  std::pair<int, std::string> Answer(const HttpRequest& request);

  Options options_;
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> inputs_{0};
  std::atomic<int> fail_count_{0};
  std::atomic<int> fail_status_{503};
  mutable std::mutex mutex_;
  std::vector<std::string> models_;
  std::unique_ptr<LoopbackServer> server_;  // last: its handler uses the members above
};

}  // namespace switchboard::testing
