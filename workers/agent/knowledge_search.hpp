#pragma once

// The knowledge search of a turn: full text in the business's language, with the heading weights
// and the facts passages of migration 0007, misspelt words matched against the tenant's own
// vocabulary, the thesaurus' related words, and, when the question has an embedding, the vector
// ranking fused with the full-text one by reciprocal rank fusion.

#include <cstddef>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>
#include <vector>

#include "workers/agent/passage_ranking.hpp"

namespace switchboard::agent {

/// What to search for.
struct KnowledgeSearch {
  std::string business_id;
  /// The customer's text; empty: nothing is searched.
  std::string text;
  /// Passages returned, best first.
  std::size_t limit = 4;
  /// The question's embedding and the model that computed it; empty: full text alone. Only
  /// chunks embedded by the same model take part in the vector ranking.
  std::vector<float> embedding;
  std::string embedding_model;
};

/// The ranking's knobs; the defaults are what retrieval_bench measured best on the evaluation set
/// (README, "Retrieval quality").
struct RankingOptions {
  /// ts_rank_cd's normalization: 1 divides by 1 + log(length in words), so a long passage that
  /// mentions a word in passing does not outrank a short one about it.
  int normalization = 1;
  /// Weight of the thesaurus' related words against the question's own words.
  double related_weight = 0.5;
  /// Weight of the ts_rank_cd against the coverage in a passage's text score.
  double rank_weight = 0.5;
  /// How much a question word found only in a passage's text (not its own heading) counts
  /// towards its coverage, against 1 for a word in the heading.
  double text_only_weight = 0.8;
  /// pg_trgm similarity a word of the tenant's vocabulary needs to stand in for a question word
  /// that the tenant's knowledge does not contain (a misspelling); at least 0.3, the threshold
  /// of the trigram index that finds the candidates.
  double typo_similarity = 0.45;
  /// Candidates each ranking (text, vector) contributes before fusion.
  int candidates = 20;
  /// Reciprocal rank fusion's k.
  double fusion_k = 60;
};

/// The best passages for `search` within the tenant the transaction is scoped to (and an
/// explicit business_id filter): ordered by the full-text rank, or, with an embedding, by the
/// fusion of the full-text and the cosine-similarity rankings. One statement, one round trip.
/// Database errors propagate.
std::vector<RetrievedPassage> SearchKnowledge(pqxx::transaction_base& tx,
                                              const KnowledgeSearch& search,
                                              const RankingOptions& options = {});

/// `vector` as a PostgreSQL real[] literal ("{0.25,-1,...}"); "" when empty.
std::string RealArrayLiteral(const std::vector<float>& vector);

}  // namespace switchboard::agent
