#include "workers/sender/text_split.hpp"

#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::sender {
namespace {

using Parts = std::vector<std::string>;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Whether `s` is well-formed UTF-8 (so no sequence was cut).
bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t length = lead < 0x80    ? 1
                         : lead >= 0xF0 ? 4
                         : lead >= 0xE0 ? 3
                         : lead >= 0xC2 ? 2
                                        : 0;
    if (length == 0 || i + length > s.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

/// Checks every promise of SplitForChannel for one input.
void CheckSplit(std::string_view text, std::size_t max_chars, const Parts& parts) {
  INFO("text '" << std::string(text) << "' max " << max_chars);
  std::size_t pos = 0;
  for (const std::string& part : parts) {
    INFO("part '" << part << "'");
    CHECK_FALSE(part.empty());
    CHECK(CountCodePoints(part) <= max_chars);
    if (parts.size() > 1) {
      CHECK_FALSE(IsSpace(part.front()));
      CHECK_FALSE(IsSpace(part.back()));
    }
    // Only whitespace was dropped between parts.
    while (pos < text.size() && text.substr(pos, part.size()) != part) {
      REQUIRE(IsSpace(text[pos]));
      ++pos;
    }
    REQUIRE(text.substr(pos, part.size()) == part);
    pos += part.size();
  }
  for (; pos < text.size(); ++pos) CHECK(IsSpace(text[pos]));
}

Parts Split(std::string_view text, std::size_t max_chars) {
  Parts parts = SplitForChannel(text, max_chars);
  CheckSplit(text, max_chars, parts);
  return parts;
}

TEST_CASE("channel limits") {
  CHECK(MaxTextLength("whatsapp") == 4096u);
  CHECK(MaxTextLength("WhatsApp") == 4096u);
  CHECK(MaxTextLength("messenger") == 2000u);
  CHECK(MaxTextLength("instagram") == 1000u);
  CHECK_FALSE(MaxTextLength("sms").has_value());
  CHECK_FALSE(MaxTextLength("").has_value());
}

TEST_CASE("code points, not bytes, are counted") {
  CHECK(CountCodePoints("") == 0);
  CHECK(CountCodePoints("abc") == 3);
  CHECK(CountCodePoints("ä") == 1);
  CHECK(CountCodePoints("€") == 1);
  CHECK(CountCodePoints("😀") == 1);
  CHECK(CountCodePoints("Grüße 😀!") == 8);
  CHECK(CountCodePoints("\xff\xfe") == 2);  // invalid bytes count one each
}

TEST_CASE("a short text is untouched, empty or blank text gives no parts") {
  CHECK(Split("Hello!", 4096) == Parts{"Hello!"});
  CHECK(Split("  spaced  \n", 100) == Parts{"  spaced  \n"});
  CHECK(Split("", 10).empty());
  CHECK(Split(" \n\t ", 10).empty());
  CHECK(Split(" \n\t ", 2).empty());
}

TEST_CASE("a text of exactly the limit is one part, one more character splits it") {
  const std::string exact(4096, 'a');
  CHECK(Split(exact, kWhatsAppMaxText) == Parts{exact});
  std::string umlauts;
  for (int i = 0; i < 1000; ++i) umlauts += "ä";  // 2000 bytes, 1000 characters
  CHECK(Split(umlauts, kInstagramMaxText) == Parts{umlauts});
  CHECK(Split(umlauts + "b", kInstagramMaxText).size() == 2);
}

TEST_CASE("splits at the last sentence end that fits") {
  const std::string text = "First sentence here. Second one! Third? And a fourth sentence.";
  CHECK(Split(text, 40) ==
        Parts{"First sentence here. Second one! Third?", "And a fourth sentence."});
  CHECK(Split(text, 33) ==
        Parts{"First sentence here. Second one!", "Third? And a fourth sentence."});
  CHECK(Split("Line one\nLine two\nLine three", 20) == Parts{"Line one\nLine two", "Line three"});
  // Whitespace runs at the cut all go, including a CRLF.
  CHECK(Split("Paragraph one.\r\n\r\n  Paragraph two is here.", 25) ==
        Parts{"Paragraph one.", "Paragraph two is here."});
  // A sentence end just before the limit with its space just after it.
  CHECK(Split("abcd. efgh", 5) == Parts{"abcd.", "efgh"});
  // A full stop inside a word is not a sentence end.
  CHECK(Split("see example.com now please", 15) == Parts{"see example.com", "now please"});
}

TEST_CASE("a sentence end early in the window loses to a later word boundary") {
  CHECK(Split("Hi. this text goes on and on and on", 20) ==
        Parts{"Hi. this text goes", "on and on and on"});
}

TEST_CASE("without a sentence end, splits at the last whitespace") {
  CHECK(Split("one two three four five six seven", 10) ==
        Parts{"one two", "three four", "five six", "seven"});
  CHECK(Split("alpha\tbeta gamma", 11) == Parts{"alpha\tbeta", "gamma"});
}

TEST_CASE("a single very long word is hard-split at the limit") {
  const std::string word(25, 'x');
  CHECK(Split(word, 10) == Parts{std::string(10, 'x'), std::string(10, 'x'), std::string(5, 'x')});
  CHECK(Split("go https://example.com/a/very/long/path ok", 12) ==
        Parts{"go", "https://exam", "ple.com/a/ve", "ry/long/path", "ok"});
}

TEST_CASE("multi-byte characters at the boundary stay whole") {
  CHECK(Split("ääääää", 4) == Parts{"ääää", "ää"});
  CHECK(Split("😀😀😀😀😀", 2) == Parts{"😀😀", "😀😀", "😀"});
  CHECK(Split("Schöne Grüße 😀 aus Köln", 14) == Parts{"Schöne Grüße 😀", "aus Köln"});
  CHECK(Split("abc€€€", 4) == Parts{"abc€", "€€"});
}

TEST_CASE("a hard cut does not separate a skin tone, joiner or combining mark") {
  // 👍🏽 is U+1F44D U+1F3FD; a cut after 3 code points would strand the modifier.
  CHECK(Split("ab👍🏽cd", 3) == Parts{"ab", "👍🏽c", "d"});
  // e + U+0301 (combining acute).
  CHECK(Split("abe\u0301f", 3) == Parts{"ab", "e\u0301f"});
  // 👩‍💻 is U+1F469 U+200D U+1F4BB.
  CHECK(Split("ab👩‍💻", 3) == Parts{"ab", "👩‍💻"});
  CHECK(Split("ab👩‍💻", 4) == Parts{"ab", "👩‍💻"});
  // A character longer than the limit is still cut rather than looping.
  CHECK(Split("👩‍💻", 2) == Parts{"👩‍", "💻"});
}

TEST_CASE("invalid UTF-8 is split without crashing, each bad byte one character") {
  const std::string text =
      "ab\xff\xfe"
      "cd\xe2\x82";
  const Parts parts = SplitForChannel(text, 3);
  std::size_t total = 0;
  for (const auto& part : parts) {
    CHECK(CountCodePoints(part) <= 3);
    total += part.size();
  }
  CHECK(total == text.size());
}

TEST_CASE("a zero limit is rejected") {
  CHECK_THROWS_AS(SplitForChannel("text", 0), std::invalid_argument);
}

TEST_CASE("random texts keep every promise") {
  const std::vector<std::string> pieces = {
      "a",        "b",           "word",    "longerword", " ",   "  ",   ". ", "! ",
      "? ",       "\n",          "\n\n",    "\t",         "ä",   "ß",    "€",  "😀",
      "👍🏽", "👩‍💻", "e\u0301", ".",          "x.y", "\r\n", "🇩🇪"};
  std::mt19937 random(20260329);  // fixed seed: the same texts on every run
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const std::size_t count = random() % 60;
    for (std::size_t i = 0; i < count; ++i) text += pieces[random() % pieces.size()];
    const std::size_t max_chars = 1 + random() % 30;
    const Parts parts = SplitForChannel(text, max_chars);
    CheckSplit(text, max_chars, parts);
    for (const auto& part : parts) CHECK(IsValidUtf8(part));
  }
}

TEST_CASE("a long reply is split within the WhatsApp limit at sentence ends") {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "Unser Team meldet sich gern bei Ihnen zurück. ";
  const Parts parts = Split(text, kWhatsAppMaxText);
  REQUIRE(parts.size() == 4);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(parts[i].back() == '.');
    if (i + 1 < parts.size()) CHECK(CountCodePoints(parts[i]) > kWhatsAppMaxText - 50);
  }
}

}  // namespace
}  // namespace switchboard::sender
