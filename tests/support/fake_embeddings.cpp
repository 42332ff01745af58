#include "tests/support/fake_embeddings.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "common/json.hpp"
#include "common/token_cipher.hpp"
#include "tests/support/loopback_server.hpp"

namespace switchboard::testing {

namespace http = boost::beast::http;

namespace {

constexpr std::size_t kMaxInputs = 2048;

std::uint64_t Fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string ErrorBody(std::string_view message, std::string_view type = "invalid_request_error") {
  return json::Writer()
      .StartObject()
      .Key("error")
      .StartObject()
      .Field("message", message)
      .Field("type", type)
      .Key("param")
      .Null()
      .Key("code")
      .Null()
      .EndObject()
      .EndObject()
      .Take();
}

}  // namespace

std::vector<float> FakeEmbedding(std::string_view text, std::size_t dimensions) {
  std::vector<double> sums(dimensions == 0 ? 1 : dimensions, 0.0);
  const auto add = [&](std::string_view feature, double weight) {
    const std::uint64_t hash = Fnv1a(feature);
    // The sign from another bit of the hash, so that unrelated features cancel out on average.
    sums[hash % sums.size()] += (hash >> 63) != 0 ? weight : -weight;
  };
  std::string word;
  const auto flush = [&] {
    if (word.empty()) return;
    add("w:" + word, 2.0);
    const std::string padded = "^" + word + "$";
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i) add(padded.substr(i, 3), 1.0);
    word.clear();
  };
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || byte >= 0x80) {
      word.push_back(static_cast<char>(std::tolower(byte)));
    } else {
      flush();
    }
  }
  flush();
  double norm = 0;
  for (const double value : sums) norm += value * value;
  std::vector<float> vector(sums.size());
  for (std::size_t i = 0; i < sums.size(); ++i) {
    vector[i] = static_cast<float>(norm > 0 ? sums[i] / std::sqrt(norm) : 0.0);
  }
  return vector;
}

FakeEmbeddings::FakeEmbeddings() : FakeEmbeddings(Options{}) {}

FakeEmbeddings::FakeEmbeddings(Options options) : options_(options) {
  server_ = std::make_unique<LoopbackServer>(
      [this](HttpRequest request) { return Handle(std::move(request)); }, options_.port);
}

FakeEmbeddings::~FakeEmbeddings() {
  server_.reset();
}

std::string FakeEmbeddings::BaseUrl() const {
  return server_->Url() + "/v1";
}

void FakeEmbeddings::FailNext(int count, int status) {
  fail_status_ = status;
  fail_count_ = count;
}

std::vector<std::string> FakeEmbeddings::Models() const {
  std::lock_guard lock(mutex_);
  return models_;
}

boost::asio::awaitable<HttpResponse> FakeEmbeddings::Handle(HttpRequest request) {
  auto [status, body] = Answer(request);
  co_return MakeResponse(request, static_cast<http::status>(status), std::move(body),
                         "application/json");
}

std::pair<int, std::string> FakeEmbeddings::Answer(const HttpRequest& request) {
  ++requests_;
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  if (request.method() != http::verb::post || (path != "/v1/embeddings" && path != "/embeddings")) {
    return {404, ErrorBody("Unknown request URL: " + std::string(path))};
  }
  if (int left = fail_count_.load();
      left > 0 && fail_count_.compare_exchange_strong(left, left - 1)) {
    return {fail_status_.load(),
            ErrorBody("The server is overloaded (injected failure)", "server_error")};
  }
  const auto document = json::Parse(request.body());
  if (!document.ok() || !document->IsObject()) {
    return {400, ErrorBody("We could not parse the JSON body of your request.")};
  }
  const auto model = json::String(*document, "model");
  if (!model || model->empty()) return {400, ErrorBody("you must provide a model parameter")};
  {
    std::lock_guard lock(mutex_);
    models_.push_back(*model);
  }
  std::vector<std::string> inputs;
  const json::Value* input = json::Find(*document, "input");
  if (input != nullptr && input->IsString()) {
    inputs.emplace_back(json::View(*input));
  } else if (input != nullptr && input->IsArray()) {
    for (const auto& item : input->GetArray()) {
      if (!item.IsString()) return {400, ErrorBody("'$.input' is invalid.")};
      inputs.emplace_back(json::View(item));
    }
  } else {
    return {400, ErrorBody("'input' is a required property")};
  }
  if (inputs.empty() || inputs.size() > kMaxInputs) {
    return {400, ErrorBody("'$.input' must hold 1 to 2048 items")};
  }
  for (const auto& text : inputs) {
    if (text.empty()) return {400, ErrorBody("'$.input' is invalid: empty string")};
  }
  const std::string format = json::StringOr(*document, "encoding_format", "float");
  if (format != "float" && format != "base64") {
    return {400, ErrorBody("encoding_format must be 'float' or 'base64'")};
  }
  std::size_t dimensions = options_.dimensions;
  if (const auto wanted = json::Int(*document, "dimensions")) {
    if (*wanted < 1 || static_cast<std::size_t>(*wanted) > options_.dimensions) {
      return {400, ErrorBody("dimensions is out of range")};
    }
    dimensions = static_cast<std::size_t>(*wanted);
  }
  inputs_ += inputs.size();

  json::Writer writer;
  writer.StartObject().Field("object", "list").Key("data").StartArray();
  std::size_t characters = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    characters += inputs[i].size();
    auto vector = FakeEmbedding(inputs[i], options_.dimensions);
    vector.resize(dimensions);
    writer.StartObject().Field("object", "embedding").Field("index", static_cast<std::int64_t>(i));
    writer.Key("embedding");
    if (format == "base64") {
      std::string bytes(vector.size() * sizeof(float), '\0');
      std::memcpy(bytes.data(), vector.data(), bytes.size());
      writer.String(Base64Encode(bytes));
    } else {
      writer.StartArray();
      for (const float value : vector) writer.Double(value);
      writer.EndArray();
    }
    writer.EndObject();
  }
  const auto tokens = static_cast<std::int64_t>(characters / 4 + 1);
  writer.EndArray()
      .Field("model", *model)
      .Key("usage")
      .StartObject()
      .Field("prompt_tokens", tokens)
      .Field("total_tokens", tokens)
      .EndObject()
      .EndObject();
  return {200, writer.Take()};
}

}  // namespace switchboard::testing
