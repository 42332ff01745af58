// The pure parts of knowledge retrieval: the question's search terms, reciprocal rank fusion,
// cosine similarity and the confidence rule of retrieval-only mode.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "workers/agent/knowledge_query.hpp"
#include "workers/agent/passage_ranking.hpp"

namespace {

using namespace switchboard::agent;

/// A passage with text score `score`, coverage `coverage` of the question's words `covered`.
RetrievedPassage Passage(std::string id, std::string item, std::string heading, double score,
                         double coverage = 1, std::string covered = "{1}",
                         std::optional<double> similarity = std::nullopt) {
  RetrievedPassage passage;
  passage.chunk_id = std::move(id);
  passage.item_id = std::move(item);
  passage.heading = std::move(heading);
  passage.text_rank = score;
  passage.coverage = coverage;
  passage.covered_words = std::move(covered);
  passage.similarity = similarity;
  passage.score = score;
  return passage;
}

TEST_CASE("search terms: the question's words, lowercased, once each, without operators") {
  const SearchTerms terms =
      BuildSearchTerms("What's the PRICE of a check-up -- or a cleaning?", "");
  CHECK(terms.words == std::vector<std::string>{"what", "s", "the", "price", "of", "a", "check",
                                                "up", "cleaning"});
  CHECK(terms.related.empty());
  CHECK(BuildSearchTerms("?! --", "en").words.empty());
}

TEST_CASE("search terms: German capitals are lowercased too, so the thesaurus finds them") {
  const SearchTerms terms = BuildSearchTerms("Öffnungszeiten am Samstag?", "de");
  CHECK(terms.words.front() == "öffnungszeiten");
  CHECK(std::find(terms.related.begin(), terms.related.end(), "geöffnet") != terms.related.end());
}

TEST_CASE("search terms: the thesaurus calls up related words of the language only") {
  const SearchTerms english = BuildSearchTerms("How much does a cleaning cost?", "en");
  CHECK(std::find(english.related.begin(), english.related.end(), "price") !=
        english.related.end());
  CHECK(std::find(english.related.begin(), english.related.end(), "cost") ==
        english.related.end());  // already a word of the question
  CHECK(BuildSearchTerms("How much does a cleaning cost?", "de").related.empty());
  CHECK(BuildSearchTerms("How much does a cleaning cost?", "fr").related.empty());
  CHECK(BuildSearchTerms("Where can I park?", "en").related ==
        std::vector<std::string>{"parking", "car", "garage"});
}

TEST_CASE("or-query: words joined for websearch_to_tsquery, 'or' itself left out") {
  CHECK(OrQueryText({"parking", "or", "car"}) == "parking or car");
  CHECK(OrQueryText({}).empty());
}

TEST_CASE("reciprocal rank fusion: agreement wins, one list's top beats the other's tail") {
  const std::vector<std::vector<std::string>> rankings = {{"a", "b", "c"}, {"b", "d", "a"}};
  const auto fused = FuseReciprocalRanks(rankings, 60);
  REQUIRE(fused.size() == 4);
  CHECK(fused[0].id == "b");  // 1/62 + 1/61
  CHECK(fused[1].id == "a");  // 1/61 + 1/63
  CHECK(fused[0].score == doctest::Approx(1.0 / 62 + 1.0 / 61));
  CHECK(fused[2].id == "d");  // 1/62 beats c's 1/63
  CHECK(fused[3].id == "c");
}

TEST_CASE("reciprocal rank fusion: an id twice in one list counts once, at its better place") {
  const std::vector<std::vector<std::string>> rankings = {{"a", "a", "b"}};
  const auto fused = FuseReciprocalRanks(rankings, 1);
  REQUIRE(fused.size() == 2);
  CHECK(fused[0].score == doctest::Approx(0.5));
  CHECK(fused[1].score == doctest::Approx(1.0 / 4));
}

TEST_CASE("cosine similarity") {
  const std::vector<float> a = {1, 0, 0};
  const std::vector<float> b = {1, 1, 0};
  CHECK(*CosineSimilarity(a, a) == doctest::Approx(1));
  CHECK(*CosineSimilarity(a, b) == doctest::Approx(1 / std::sqrt(2.0)));
  CHECK_FALSE(CosineSimilarity(a, std::vector<float>{1, 0}).has_value());
  CHECK_FALSE(CosineSimilarity(a, std::vector<float>{0, 0, 0}).has_value());
  const auto unit = UnitLength({3, 4});
  CHECK(unit[0] == doctest::Approx(0.6));
  CHECK(unit[1] == doctest::Approx(0.8));
}

TEST_CASE("same topic: one section's chunks, or the same own heading in another document") {
  CHECK(SameTopic(Passage("1", "doc", "Hours", 1), Passage("2", "doc", "Hours", 1)));
  CHECK(SameTopic(Passage("1", "facts", "Opening hours", 1),
                  Passage("2", "doc", "Visiting > Opening Hours", 1)));
  CHECK_FALSE(SameTopic(Passage("1", "doc", "Opening hours", 1),
                        Passage("2", "doc", "Opening hours > Appointments", 1)));
  CHECK_FALSE(SameTopic(Passage("1", "a", "", 1), Passage("2", "b", "", 1)));
}

TEST_CASE("confidence: the best passage answers when it covers the question and leads") {
  const ConfidenceRule rule{.min_coverage = 0.4, .min_margin = 0.15};
  SUBCASE("clear winner") {
    const std::vector<RetrievedPassage> passages = {Passage("1", "a", "Parking", 1.2, 1, "{1,2}"),
                                                    Passage("2", "b", "Address", 0.5, 0.5, "{2}")};
    CHECK(ConfidentAnswer(passages, rule) == 0u);
  }
  SUBCASE("too little of the question in it: fallback") {
    // "What's the weather like in Berlin today?": only "Berlin" is found.
    const std::vector<RetrievedPassage> passages = {Passage("1", "a", "Address", 0.3, 0.2)};
    CHECK_FALSE(ConfidentAnswer(passages, rule).has_value());
  }
  SUBCASE("another topic covering other words scores about as well: fallback, never a guess") {
    const std::vector<RetrievedPassage> passages = {
        Passage("1", "a", "What to bring", 1.03, 1, "{1,2}"),
        Passage("2", "b", "Insurance", 0.95, 0.6, "{2}")};
    CHECK_FALSE(ConfidentAnswer(passages, rule).has_value());
  }
  SUBCASE("a close runner-up of the same topic does not count against it") {
    const std::vector<RetrievedPassage> passages = {
        Passage("1", "facts", "Opening hours", 1.2, 1, "{1}"),
        Passage("2", "doc", "Opening hours", 1.19, 1, "{1,2}"),
        Passage("3", "doc", "Emergencies", 0.3, 0.4, "{2}")};
    CHECK(ConfidentAnswer(passages, rule) == 0u);
  }
  SUBCASE("a runner-up covering the same words answers the same question") {
    // "How much is a cleaning?": the facts passage of the service and the price list.
    const std::vector<RetrievedPassage> passages = {
        Passage("1", "facts", "Services and prices > Cleaning", 1.24, 1, "{2,4}"),
        Passage("2", "doc", "Prices and insurance > Prices", 1.14, 1, "{2,4}")};
    CHECK(ConfidentAnswer(passages, rule) == 0u);
  }
  SUBCASE("nothing found") {
    CHECK_FALSE(ConfidentAnswer({}, rule).has_value());
  }
}

TEST_CASE("confidence: with embeddings, a clear similarity counts when the text does not object") {
  const ConfidenceRule rule{
      .min_coverage = 0.4, .min_margin = 0.15, .min_similarity = 0.6, .min_similarity_gap = 0.1};
  CHECK(ConfidentAnswer(
            std::vector<RetrievedPassage>{Passage("1", "a", "Parking", 0.1, 0.1, "{1}", 0.8),
                                          Passage("2", "b", "Address", 0, 0, "{}", 0.5)},
            rule) == 0u);
  // Similar vectors, but another topic matches the words better: fallback.
  CHECK_FALSE(ConfidentAnswer(
                  std::vector<RetrievedPassage>{Passage("1", "a", "Parking", 0.1, 0.1, "{1}", 0.8),
                                                Passage("2", "b", "Address", 0.3, 0.3, "{2}", 0.5)},
                  rule)
                  .has_value());
  // Not clearly more similar than another topic: fallback.
  CHECK_FALSE(
      ConfidentAnswer(std::vector<RetrievedPassage>{Passage("1", "a", "Parking", 0, 0, "{}", 0.8),
                                                    Passage("2", "b", "Address", 0, 0, "{}", 0.75)},
                      rule)
          .has_value());
}

TEST_CASE("array_send: the dot product read from PostgreSQL's binary real[]") {
  // ndim 1, no nulls, float4 (oid 700), length 2, lower bound 1; then (4, 0.5f), (4, -2.0f).
  const std::string bytes(
      "\0\0\0\1\0\0\0\0\0\0\x02\xbc\0\0\0\x02\0\0\0\1"
      "\0\0\0\4\x3f\0\0\0\0\0\0\4\xc0\0\0\0",
      36);
  const std::vector<float> query = {2, 1};
  CHECK(*DotOfArraySend(bytes, query) == doctest::Approx(-1.0));
  CHECK_FALSE(DotOfArraySend(bytes, std::vector<float>{1, 2, 3}).has_value());
  CHECK_FALSE(DotOfArraySend(bytes.substr(0, 30), query).has_value());
}

}  // namespace
