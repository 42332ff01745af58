#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

/// One retrieval unit of a knowledge document (a row of knowledge_chunks).
struct KnowledgeChunk {
  /// The path of '#' headings above the text, outermost first: "Visiting us > Parking"; empty for
  /// text before the first heading.
  std::string heading;
  /// The document's own text (heading lines excluded), line breaks and lists kept as written.
  std::string content;
  /// ApproximateTokens(content).
  int token_count = 0;

  bool operator==(const KnowledgeChunk&) const = default;
};

/// How big chunks are and how much consecutive chunks of one section share.
struct ChunkingOptions {
  /// The size a chunk grows to; only a single word longer than this makes a chunk longer.
  int target_tokens = 500;
  /// The share of target_tokens that a chunk repeats from the end of the previous one.
  double overlap = 0.15;
};

/// An estimate of the LLM tokens of `text`: ceil(UTF-8 bytes / 4). We use bytes/4 rather than
/// words x 1.3 because it needs no notion of a word (it still works for scripts written without
/// spaces), and it is OpenAI's rule of thumb for English; both give about the same on English
/// prose. Sizes are only budgets, so an estimate that is never far off is enough.
int ApproximateTokens(std::string_view text);

/// Splits a markdown-ish document into chunks for full-text (and vector) retrieval. A '#' line
/// (ATX heading, outside ``` fences) starts a section; each chunk lies within one section and
/// carries its heading path. A section longer than target_tokens becomes several chunks that
/// overlap by about `overlap`; a chunk ends at a paragraph break when one falls in its second
/// half, else at a line or sentence end, else between words, never inside a word. Heading-only
/// sections and blank text give no chunk. Deterministic. Throws std::invalid_argument when
/// target_tokens < 1 or overlap is outside [0, 0.5].
std::vector<KnowledgeChunk> ChunkDocument(std::string_view document,
                                          const ChunkingOptions& options = {});

}  // namespace switchboard
