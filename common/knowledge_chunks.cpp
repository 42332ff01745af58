#include "common/knowledge_chunks.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

namespace switchboard {
namespace {

constexpr std::size_t kBytesPerToken = 4;
constexpr std::string_view kHeadingSeparator = " > ";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

struct Heading {
  int level = 0;
  std::string text;
};

/// The level and text of an ATX heading line ("## Parking ##" -> 2, "Parking"), or nullopt.
std::optional<Heading> ParseHeading(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && indent < 4 && line[indent] == ' ') ++indent;
  if (indent > 3) return std::nullopt;  // four spaces make an indented code block
  line.remove_prefix(indent);
  int level = 0;
  while (level < static_cast<int>(line.size()) && line[static_cast<std::size_t>(level)] == '#') {
    ++level;
  }
  if (level < 1 || level > 6) return std::nullopt;
  line.remove_prefix(static_cast<std::size_t>(level));
  if (!line.empty() && line.front() != ' ' && line.front() != '\t') return std::nullopt;  // "#tag"
  line = Trim(line);
  // An optional closing sequence of '#'s, when a space separates it from the text.
  const std::size_t closing = line.find_last_not_of('#');
  if (closing == std::string_view::npos) {
    line = {};
  } else if (closing + 1 < line.size() && IsSpace(line[closing])) {
    line = Trim(line.substr(0, closing));
  }
  return Heading{level, std::string(line)};
}

struct Section {
  std::string heading;
  std::string body;
};

std::string HeadingPath(const std::vector<Heading>& stack) {
  std::string path;
  for (const Heading& heading : stack) {
    if (heading.text.empty()) continue;
    if (!path.empty()) path += kHeadingSeparator;
    path += heading.text;
  }
  return path;
}

bool IsFence(std::string_view line) {
  line = Trim(line);
  return line.starts_with("```") || line.starts_with("~~~");
}

/// The document cut at its headings; '#' lines inside code fences are text, not headings.
std::vector<Section> SplitSections(std::string_view document) {
  std::vector<Section> sections(1);
  std::vector<Heading> stack;
  bool in_fence = false;
  while (!document.empty()) {
    const std::size_t newline = document.find('\n');
    std::string_view line = document.substr(0, newline);
    document.remove_prefix(newline == std::string_view::npos ? document.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (IsFence(line)) in_fence = !in_fence;
    const auto heading = in_fence ? std::nullopt : ParseHeading(line);
    if (!heading) {
      sections.back().body.append(line).push_back('\n');
      continue;
    }
    while (!stack.empty() && stack.back().level >= heading->level) stack.pop_back();
    stack.push_back(*heading);
    sections.push_back({HeadingPath(stack), {}});
  }
  return sections;
}

/// Where a chunk may end: at `end` (the whitespace run after a word starts there), with the next
/// chunk starting at `next` (the first byte after that run).
struct BreakPoint {
  enum class Kind { kWord, kSentence, kParagraph };
  std::size_t end = 0;
  std::size_t next = 0;
  Kind kind = Kind::kWord;
};

bool EndsSentence(std::string_view before) {
  // Closing quotes, brackets and emphasis may follow the full stop: `(see below.)` `"Yes!"`.
  while (!before.empty() &&
         std::string_view(")]\"'*_").find(before.back()) != std::string_view::npos) {
    before.remove_suffix(1);
  }
  return !before.empty() && (before.back() == '.' || before.back() == '!' || before.back() == '?');
}

/// Every whitespace run inside `text` (which is trimmed), classified.
std::vector<BreakPoint> BreakPoints(std::string_view text) {
  std::vector<BreakPoint> breaks;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsSpace(text[i])) {
      ++i;
      continue;
    }
    const std::size_t end = i;
    int newlines = 0;
    while (i < text.size() && IsSpace(text[i])) newlines += text[i++] == '\n' ? 1 : 0;
    BreakPoint point{end, i, BreakPoint::Kind::kWord};
    if (newlines >= 2) {
      point.kind = BreakPoint::Kind::kParagraph;
    } else if (newlines == 1 || EndsSentence(text.substr(0, end))) {
      // A single line break ends a list item or a line of an address: as good as a sentence end.
      point.kind = BreakPoint::Kind::kSentence;
    }
    breaks.push_back(point);
  }
  return breaks;
}

/// The break that ends a chunk starting at `start`: the last paragraph break, else the last
/// sentence break, in the second half of the budget; else the last word break within it; else
/// (one word longer than the budget) the first break after it; nullopt when the rest fits.
std::optional<BreakPoint> ChunkEnd(const std::vector<BreakPoint>& breaks, std::size_t text_size,
                                   std::size_t start, std::size_t budget) {
  if (text_size - start <= budget) return std::nullopt;
  const std::size_t limit = start + budget;
  const std::size_t half = start + budget / 2;
  const auto first =
      std::upper_bound(breaks.begin(), breaks.end(), start,
                       [](std::size_t pos, const BreakPoint& b) { return pos < b.end; });
  const auto past = std::upper_bound(
      first, breaks.end(), limit, [](std::size_t pos, const BreakPoint& b) { return pos < b.end; });
  for (const auto kind : {BreakPoint::Kind::kParagraph, BreakPoint::Kind::kSentence}) {
    for (auto it = past; it != first;) {
      --it;
      if (it->end < half) break;
      if (it->kind >= kind) return *it;
    }
  }
  if (past != first) return *std::prev(past);
  if (past != breaks.end()) return *past;
  return std::nullopt;
}

/// Where the chunk after [start, end) starts so that it repeats at most `overlap` bytes of it:
/// the earliest sentence start that repeats at least a third of that, else the earliest word.
std::size_t NextStart(const std::vector<BreakPoint>& breaks, std::size_t start,
                      const BreakPoint& end, std::size_t overlap) {
  const std::size_t earliest = std::max(start + 1, end.end > overlap ? end.end - overlap : 0);
  std::optional<std::size_t> word;
  for (auto it = std::lower_bound(breaks.begin(), breaks.end(), earliest,
                                  [](const BreakPoint&b, std::size_t pos) { return b.next < pos; });
       it != breaks.end() && it->next < end.end; ++it) {
    if (it->kind != BreakPoint::Kind::kWord && end.end - it->next >= overlap / 3) return it->next;
    if (!word) word = it->next;
  }
  return word.value_or(end.next);
}

void AppendChunks(const Section& section, const ChunkingOptions& options,
                  std::vector<KnowledgeChunk>& chunks) {
  const std::string_view text = Trim(section.body);
  if (text.empty()) return;
  const auto breaks = BreakPoints(text);
  const std::size_t budget = static_cast<std::size_t>(options.target_tokens) * kBytesPerToken;
  const std::size_t overlap =
      static_cast<std::size_t>(options.target_tokens * options.overlap) * kBytesPerToken;
  std::size_t start = 0;
  while (true) {
    const auto end = ChunkEnd(breaks, text.size(), start, budget);
    const std::string_view content = text.substr(start, (end ? end->end : text.size()) - start);
    chunks.push_back({section.heading, std::string(content), ApproximateTokens(content)});
    if (!end) return;
    start = NextStart(breaks, start, *end, overlap);
  }
}

}  // namespace

int ApproximateTokens(std::string_view text) {
  return static_cast<int>((text.size() + kBytesPerToken - 1) / kBytesPerToken);
}

std::vector<KnowledgeChunk> ChunkDocument(std::string_view document,
                                          const ChunkingOptions& options) {
  if (options.target_tokens < 1) throw std::invalid_argument("target_tokens must be positive");
  if (!(options.overlap >= 0 && options.overlap <= 0.5)) {
    throw std::invalid_argument("overlap must be within [0, 0.5]");
  }
  std::vector<KnowledgeChunk> chunks;
  for (const Section& section : SplitSections(document)) AppendChunks(section, options, chunks);
  return chunks;
}

}  // namespace switchboard
