#include "common/knowledge_chunks.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// `paragraphs` paragraphs of `sentences` numbered sentences of nine words each (~60 bytes).
std::string Prose(int paragraphs, int sentences) {
  std::string text;
  int n = 0;
  for (int p = 0; p < paragraphs; ++p) {
    for (int s = 0; s < sentences; ++s, ++n) {
      text += "Sentence " + std::to_string(n) + " explains how the clinic treats patient " +
              std::to_string(n) + ". ";
    }
    text.back() = '\n';
    text += '\n';
  }
  return text;
}

/// The bytes chunk `next` repeats from the end of `previous`.
std::size_t Overlap(std::string_view previous, std::string_view next) {
  for (std::size_t length = std::min(previous.size(), next.size()); length > 0; --length) {
    if (previous.ends_with(next.substr(0, length))) return length;
  }
  return 0;
}

/// Where `chunk` sits in `document`, checking that it starts and ends at word boundaries.
void RequireWholeWords(std::string_view document, std::string_view chunk) {
  const std::size_t at = document.find(chunk);
  REQUIRE(at != std::string_view::npos);
  CHECK((at == 0 || IsSpace(document[at - 1])));
  const std::size_t after = at + chunk.size();
  CHECK((after == document.size() || IsSpace(document[after])));
}

TEST_CASE("a short document is one chunk without its blank lines") {
  const auto chunks =
      ChunkDocument("\n\nWe are open Monday to Friday.\nSaturday mornings too.\n\n");
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].heading.empty());
  CHECK(chunks[0].content == "We are open Monday to Friday.\nSaturday mornings too.");
  CHECK(chunks[0].token_count == ApproximateTokens(chunks[0].content));
  CHECK(ApproximateTokens("abcd") == 1);
  CHECK(ApproximateTokens("abcde") == 2);
  CHECK(ApproximateTokens("") == 0);
}

TEST_CASE("a long section becomes several chunks of at most the target, overlapping ~15%") {
  const std::string document = "# Treatments\n\n" + Prose(20, 12);  // ~14 KB, ~3600 tokens
  const auto chunks = ChunkDocument(document);
  REQUIRE(chunks.size() >= 7);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    CAPTURE(i);
    CHECK(chunks[i].heading == "Treatments");
    CHECK(chunks[i].token_count <= 500);
    CHECK(chunks[i].token_count >= 150);
    RequireWholeWords(document, chunks[i].content);
    if (i > 0) {
      const int repeated = ApproximateTokens(
          chunks[i].content.substr(0, Overlap(chunks[i - 1].content, chunks[i].content)));
      CHECK(repeated >= 25);  // a third of 15% of 500 at least ...
      CHECK(repeated <= 75);  // ... and never more than 15%
    }
  }
  // Nothing is lost: every sentence is in some chunk.
  for (int n = 0; n < 240; ++n) {
    const std::string sentence = "Sentence " + std::to_string(n) + " explains";
    bool found = false;
    for (const auto& chunk : chunks)
      found = found || chunk.content.find(sentence) != std::string::npos;
    CHECK_MESSAGE(found, sentence);
  }
}

TEST_CASE("chunks end at paragraph ends, else at sentence ends, never inside a word") {
  SUBCASE("paragraphs") {
    const std::string document = Prose(12, 3);  // paragraphs of ~180 bytes
    for (const auto& chunk : ChunkDocument(document, {.target_tokens = 120, .overlap = 0.15})) {
      const std::size_t after = document.find(chunk.content) + chunk.content.size();
      CHECK(std::string_view(document).substr(after).starts_with("\n\n"));
    }
  }
  SUBCASE("one paragraph: sentences") {
    const std::string document = Prose(1, 40);
    const auto chunks = ChunkDocument(document, {.target_tokens = 100, .overlap = 0.15});
    REQUIRE(chunks.size() > 3);
    for (const auto& chunk : chunks) {
      CHECK(chunk.content.ends_with('.'));
      CHECK(chunk.content.starts_with("Sentence "));
    }
  }
  SUBCASE("no punctuation: words") {
    std::string document;
    for (int i = 0; i < 400; ++i) document += "word" + std::to_string(i) + (i % 7 ? " " : "\t");
    const auto chunks = ChunkDocument(document, {.target_tokens = 50, .overlap = 0.15});
    REQUIRE(chunks.size() > 5);
    for (const auto& chunk : chunks) {
      CHECK(chunk.token_count <= 50);
      RequireWholeWords(document, chunk.content);
    }
  }
  SUBCASE("a word longer than the target stays whole") {
    const std::string url = "https://example.com/" + std::string(300, 'x');
    const auto chunks = ChunkDocument("See " + url + " for directions.", {.target_tokens = 20});
    bool whole = false;
    for (const auto& chunk : chunks) whole = whole || chunk.content.find(url) != std::string::npos;
    CHECK(whole);
  }
}

TEST_CASE("each chunk keeps the path of the headings above it") {
  const auto chunks = ChunkDocument(
      "Bright Smile Dental, Berlin.\n"
      "# Visiting us\n"
      "We are in the city centre.\n"
      "## Parking ##\n"
      "Park in the courtyard.\n"
      "### Bikes\n"
      "Racks by the door.\n"
      "## Address\n"
      "Example Street 1.\n"
      "```sh\n"
      "# not a heading inside a code fence\n"
      "```\n"
      "# Emergencies\n"
      "Call us.\n"
      "#hashtag is text\n");
  REQUIRE(chunks.size() == 6);
  CHECK(chunks[0].heading.empty());
  CHECK(chunks[1].heading == "Visiting us");
  CHECK(chunks[2].heading == "Visiting us > Parking");
  CHECK(chunks[2].content == "Park in the courtyard.");
  CHECK(chunks[3].heading == "Visiting us > Parking > Bikes");
  CHECK(chunks[4].heading == "Visiting us > Address");
  CHECK(chunks[4].content.find("# not a heading") != std::string::npos);
  CHECK(chunks[5].heading == "Emergencies");
  CHECK(chunks[5].content == "Call us.\n#hashtag is text");
}

TEST_CASE("blank text and heading-only sections give no chunk") {
  CHECK(ChunkDocument("").empty());
  CHECK(ChunkDocument(" \n\n\t\n").empty());
  CHECK(ChunkDocument("# Title\n\n## Empty\n   \n").empty());
  const auto chunks = ChunkDocument("# A\n\n# B\ntext\n# C\n\n");
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].heading == "B");
  for (const auto& chunk : ChunkDocument(Prose(30, 5), {.target_tokens = 40, .overlap = 0.5})) {
    CHECK_FALSE(chunk.content.empty());
    CHECK(chunk.content.find_first_not_of(" \t\n") == 0);
  }
}

TEST_CASE("chunking is deterministic") {
  const std::string document = "# Prices\n" + Prose(9, 7) + "## Insurance\n" + Prose(4, 9);
  CHECK(ChunkDocument(document) == ChunkDocument(document));
  CHECK(ChunkDocument(document, {.target_tokens = 64, .overlap = 0.1}) ==
        ChunkDocument(document, {.target_tokens = 64, .overlap = 0.1}));
}

TEST_CASE("bad options are refused") {
  CHECK_THROWS_AS(ChunkDocument("text", {.target_tokens = 0}), std::invalid_argument);
  CHECK_THROWS_AS(ChunkDocument("text", {.target_tokens = 10, .overlap = 0.6}),
                  std::invalid_argument);
  CHECK_THROWS_AS(ChunkDocument("text", {.target_tokens = 10, .overlap = -0.1}),
                  std::invalid_argument);
}

}  // namespace
}  // namespace switchboard
