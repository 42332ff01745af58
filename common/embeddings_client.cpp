#include "common/embeddings_client.hpp"

#include <cmath>
#include <optional>
#include <thread>

#include "common/http_client.hpp"
#include "common/json.hpp"
#include "common/log.hpp"

namespace switchboard {
namespace {

Error Malformed(std::string_view why) {
  return {"embeddings answer is not an embeddings list: " + std::string(why), false};
}

std::string TrimTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::optional<EmbeddingsOptions> ReadEmbeddingsOptions(EnvReader& env) {
  using std::chrono::milliseconds;
  EmbeddingsOptions options;
  const auto base_url = env.Optional("EMBEDDINGS_BASE_URL", Secrecy::kPasswordInUrl);
  if (base_url && !ParseUrl(*base_url).ok()) {
    env.Fail("EMBEDDINGS_BASE_URL must be an http(s) URL without user info, got '" +
             MaskSecret(*base_url, Secrecy::kPasswordInUrl) + "'");
  }
  options.base_url = base_url.value_or("");
  options.model = env.String("EMBEDDINGS_MODEL", "text-embedding-3-small");
  options.api_key = env.String("EMBEDDINGS_API_KEY", "", Secrecy::kSecret);
  options.timeout =
      env.Millis("EMBEDDINGS_TIMEOUT_MS", options.timeout, milliseconds(1), milliseconds(600000));
  if (!base_url) return std::nullopt;
  return options;
}

std::string EmbeddingsRequestBody(std::string_view model, const std::vector<std::string>& texts) {
  json::Writer writer;
  writer.StartObject().Field("model", model).Key("input").StartArray();
  for (const std::string& text : texts) writer.String(text);
  writer.EndArray().EndObject();
  return writer.Take();
}

Result<std::vector<std::vector<float>>> ParseEmbeddings(std::string_view body,
                                                        std::size_t expected) {
  auto document = json::Parse(body);
  if (!document.ok()) return Malformed(document.error().message);
  const json::Value* data = json::Find(*document, "data");
  if (data == nullptr || !data->IsArray()) return Malformed("no data array");
  if (data->Size() != expected) {
    return Malformed(std::to_string(data->Size()) + " vectors for " + std::to_string(expected) +
                     " inputs");
  }
  std::vector<std::vector<float>> vectors(expected);
  std::vector<bool> seen(expected, false);
  std::optional<std::size_t> dimensions;
  for (const json::Value& item : data->GetArray()) {
    const auto index = json::Int(item, "index");
    const json::Value* embedding = json::Find(item, "embedding");
    if (!index || *index < 0 || static_cast<std::size_t>(*index) >= expected ||
        seen[static_cast<std::size_t>(*index)]) {
      return Malformed("a missing, repeated or out-of-range index");
    }
    if (embedding == nullptr || !embedding->IsArray() || embedding->Empty()) {
      return Malformed("an embedding that is not a non-empty array of numbers");
    }
    if (dimensions && *dimensions != embedding->Size()) {
      return Malformed("embeddings of different lengths");
    }
    dimensions = embedding->Size();
    std::vector<float>& vector = vectors[static_cast<std::size_t>(*index)];
    vector.reserve(embedding->Size());
    double norm = 0;
    for (const json::Value& value : embedding->GetArray()) {
      if (!value.IsNumber() || !std::isfinite(value.GetDouble())) {
        return Malformed("an embedding that is not a non-empty array of numbers");
      }
      norm += value.GetDouble() * value.GetDouble();
      vector.push_back(static_cast<float>(value.GetDouble()));
    }
    // Unit length, so that the database's dot product is the cosine similarity.
    if (norm > 0) {
      const double scale = 1.0 / std::sqrt(norm);
      for (float& value : vector) value = static_cast<float>(value * scale);
    }
    seen[static_cast<std::size_t>(*index)] = true;
  }
  return vectors;
}

EmbeddingsClient::EmbeddingsClient(EmbeddingsOptions options, UniformRandom random)
    : options_(std::move(options)),
      url_(TrimTrailingSlashes(options_.base_url) + "/embeddings"),
      random_(std::move(random)) {
  if (options_.batch_size == 0) options_.batch_size = 1;
}

Result<std::vector<std::vector<float>>> EmbeddingsClient::Embed(
    const std::vector<std::string>& texts) const {
  std::vector<std::vector<float>> vectors;
  vectors.reserve(texts.size());
  for (std::size_t start = 0; start < texts.size(); start += options_.batch_size) {
    const std::vector<std::string> batch(
        texts.begin() + static_cast<std::ptrdiff_t>(start),
        texts.begin() +
            static_cast<std::ptrdiff_t>(std::min(texts.size(), start + options_.batch_size)));
    for (int attempt = 1;; ++attempt) {
      auto result = Attempt(batch);
      if (result.ok()) {
        if (!vectors.empty() && !result->empty() && result->front().size() != vectors[0].size()) {
          return Malformed("embeddings of different lengths");
        }
        for (auto& vector : std::move(result).value()) vectors.push_back(std::move(vector));
        break;
      }
      if (!result.error().retryable || attempt > options_.max_retries) return result.error();
      const auto delay = BackoffDelay(options_.backoff, attempt, random_);
      Log(LogLevel::kWarning, "embeddings call failed, retrying",
          {{"attempt", attempt},
           {"delay_ms", static_cast<std::int64_t>(delay.count())},
           {"error", result.error().message}});
      std::this_thread::sleep_for(delay);
    }
  }
  return vectors;
}

Result<std::vector<std::vector<float>>> EmbeddingsClient::Attempt(
    const std::vector<std::string>& texts) const {
  auto answer = PostJsonApi("embeddings", url_, options_.api_key, options_.timeout,
                            EmbeddingsRequestBody(options_.model, texts));
  if (!answer.ok()) return answer.error();
  return ParseEmbeddings(*answer, texts.size());
}

}  // namespace switchboard
