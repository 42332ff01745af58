#pragma once

// How retrieved knowledge passages are ordered and when one is good enough to be the answer on
// its own: pure functions, no database.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::agent {

/// A knowledge chunk found for a question, with the evidence for it.
struct RetrievedPassage {
  std::string chunk_id;
  std::string item_id;
  /// knowledge_items.title, .source ("facts" for the business's structured facts).
  std::string title;
  std::string source;
  /// The chunk's heading path ("Prices and insurance > Prices"); "" when it has none.
  std::string heading;
  std::string content;
  /// Share of the question's words (weighted by how rare they are among the tenant's chunks)
  /// that the chunk contains, itself or through a related word of the thesaurus: 0 to 1.
  double coverage = 0;
  /// Which of the question's words it covers (as the search reports them, e.g. "{1,3}"):
  /// passages that cover the same words answer the same question.
  std::string covered_words;
  /// The full-text score: the coverage plus the ts_rank_cd of the words (heading weights,
  /// length-normalized; the thesaurus' related words at a lower weight); 0 when the chunk does
  /// not match the words at all.
  double text_rank = 0;
  /// Cosine similarity of the chunk's and the question's embeddings, when both exist.
  std::optional<double> similarity;
  /// What the passages are ordered by: the text rank alone, or the reciprocal rank fusion of
  /// the text and vector rankings.
  double score = 0;
};

/// Reciprocal rank fusion (Cormack, Clarke, Buettcher 2009): each ranking adds 1 / (k + rank)
/// (rank from 1) to each id it lists. Returns the ids with their fused scores, best first, ties
/// by first appearance. Ids listed twice in one ranking count once (the better place).
struct FusedId {
  std::string id;
  double score = 0;
};
std::vector<FusedId> FuseReciprocalRanks(std::span<const std::vector<std::string>> rankings,
                                         double k = 60);

/// Cosine similarity of two vectors; nullopt when their lengths differ, they are empty, or one is
/// all zeros.
std::optional<double> CosineSimilarity(std::span<const float> a, std::span<const float> b);

/// The dot product of `query` and the vector in `bytes`, PostgreSQL's binary form of a
/// one-dimensional real[] (array_send): nullopt when it is not one or its length differs.
std::optional<double> DotOfArraySend(std::string_view bytes, std::span<const float> query);

/// `vector` scaled to unit length (unchanged when all zeros).
std::vector<float> UnitLength(std::vector<float> vector);

/// Whether two passages speak about the same thing: chunks of one section of one document (a
/// long section split in several), or passages whose own headings (the last part of the heading
/// path, or the title when there is none) are the same words, such as the facts passage
/// "Opening hours" and a document's "Opening hours" section.
bool SameTopic(const RetrievedPassage& a, const RetrievedPassage& b);

/// When retrieval-only mode may answer with a passage.
struct ConfidenceRule {
  /// The coverage the best passage needs: most of what the question asks about is in it.
  double min_coverage = 0.4;
  /// By how much its text score must exceed the best passage of another topic.
  double min_margin = 0.15;
  /// With embeddings: the similarity that also counts as evidence, and by how much the best
  /// passage's similarity must exceed the best one of another topic.
  double min_similarity = 0.5;
  double min_similarity_gap = 0.05;
};

/// The index of the passage (in `passages`, best first) to answer with, or nullopt for the
/// fallback: the first passage, when its coverage reaches min_coverage and its text score exceeds
/// by min_margin every rival: a passage of another topic (SameTopic) that covers other words of
/// the question (a passage covering the same words answers the same question, e.g. the facts
/// passage "Cleaning costs 90.00 EUR" and a price list, or two passages giving the phone number),
/// or (with embeddings) its similarity reaches min_similarity, exceeds every other topic's by
/// min_similarity_gap, and no other topic has the better text score. A question that two topics
/// answer about equally well gets no passage: a wrong answer is worse than the fallback.
std::optional<std::size_t> ConfidentAnswer(std::span<const RetrievedPassage> passages,
                                           const ConfidenceRule& rule);

}  // namespace switchboard::agent
