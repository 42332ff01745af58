// EmbeddingsClient against the fake OpenAI-compatible embeddings server (real HTTP on a loopback
// port), and the response parser on its own.
#include "common/embeddings_client.hpp"

#include <doctest/doctest.h>

#include "common/json.hpp"
#include "tests/support/fake_embeddings.hpp"
#include "workers/agent/passage_ranking.hpp"

namespace {

using namespace std::chrono_literals;
using switchboard::EmbeddingsClient;
using switchboard::EmbeddingsOptions;
using switchboard::ParseEmbeddings;
using switchboard::testing::FakeEmbedding;
using switchboard::testing::FakeEmbeddings;

EmbeddingsOptions OptionsFor(const FakeEmbeddings& fake) {
  return {.base_url = fake.BaseUrl(),
          .api_key = "sk-embed-secret",
          .model = "test-embedder",
          .timeout = 2000ms,
          .max_retries = 2,
          .backoff = {1ms, 5ms},
          .batch_size = 2};
}

TEST_CASE("embeddings: the request body is the OpenAI shape") {
  const auto body = switchboard::json::Parse(
      switchboard::EmbeddingsRequestBody("m", {"first", "zweite \xc3\xa4"}));
  REQUIRE(body.ok());
  CHECK(*switchboard::json::String(*body, "model") == "m");
  REQUIRE((*body)["input"].Size() == 2);
  CHECK(std::string((*body)["input"][1].GetString()) == "zweite \xc3\xa4");
}

TEST_CASE("embeddings: the parser puts vectors in input order at unit length") {
  const auto vectors = ParseEmbeddings(
      R"({"object":"list","data":[{"object":"embedding","index":1,"embedding":[0,2]},)"
      R"({"object":"embedding","index":0,"embedding":[3,4]}],"model":"m"})",
      2);
  REQUIRE(vectors.ok());
  CHECK((*vectors)[0][0] == doctest::Approx(0.6));
  CHECK((*vectors)[0][1] == doctest::Approx(0.8));
  CHECK((*vectors)[1][1] == doctest::Approx(1.0));
}

TEST_CASE("embeddings: the parser refuses what is not a full answer") {
  CHECK_FALSE(ParseEmbeddings("not json", 1).ok());
  CHECK_FALSE(ParseEmbeddings(R"({"data":[]})", 1).ok());
  CHECK_FALSE(
      ParseEmbeddings(R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]})", 2)
          .ok());
  CHECK_FALSE(
      ParseEmbeddings(R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1]}]})", 2)
          .ok());
  CHECK_FALSE(ParseEmbeddings(R"({"data":[{"index":0,"embedding":[]}]})", 1).ok());
  CHECK_FALSE(ParseEmbeddings(R"({"data":[{"index":0,"embedding":["x"]}]})", 1).ok());
}

TEST_CASE("embeddings: the client embeds in batches and gets the fake's vectors") {
  FakeEmbeddings fake;
  const EmbeddingsClient client(OptionsFor(fake));
  const auto vectors = client.Embed({"opening hours", "parking", "price of a cleaning"});
  REQUIRE(vectors.ok());
  REQUIRE(vectors->size() == 3);
  CHECK(fake.Requests() == 2);  // batches of 2
  CHECK(fake.Inputs() == 3);
  CHECK(fake.Models() == std::vector<std::string>{"test-embedder", "test-embedder"});
  const auto expected = FakeEmbedding("parking", 256);
  CHECK(*switchboard::agent::CosineSimilarity((*vectors)[1], expected) == doctest::Approx(1));
}

TEST_CASE("embeddings: 503s are retried, a 400 is not") {
  FakeEmbeddings fake;
  const EmbeddingsClient client(OptionsFor(fake));
  fake.FailNext(2, 503);
  CHECK(client.Embed({"hello"}).ok());
  CHECK(fake.Requests() == 3);

  fake.FailNext(5, 503);
  const auto failed = client.Embed({"hello"});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().retryable);

  const auto refused = client.Embed({""});  // the API refuses empty input
  REQUIRE_FALSE(refused.ok());
  CHECK_FALSE(refused.error().retryable);
  CHECK(refused.error().message.find("400") != std::string::npos);
  CHECK(refused.error().message.find("sk-embed-secret") == std::string::npos);
}

TEST_CASE("fake embeddings: a misspelling stays close, another topic does not") {
  const auto hours = FakeEmbedding("opening hours", 256);
  const auto typo = FakeEmbedding("opning hours", 256);
  const auto parking = FakeEmbedding("parking behind the building", 256);
  CHECK(*switchboard::agent::CosineSimilarity(hours, typo) > 0.6);
  CHECK(*switchboard::agent::CosineSimilarity(hours, parking) < 0.3);
}

}  // namespace
