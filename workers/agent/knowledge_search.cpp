#include "workers/agent/knowledge_search.hpp"

#include <algorithm>
#include <charconv>
#include <pqxx/pqxx>
#include <unordered_map>

#include "common/prepared.hpp"
#include "workers/agent/knowledge_query.hpp"

namespace switchboard::agent {
namespace {

// $1 business; $2 the question's words (text[]); $3, $4, $5 the thesaurus (text[] each, one
// element per pair: language, question word, related word; the tenant's language is known only
// here); $6 the typo similarity; $7 the normalization; $8 the related words' weight; $9 the rank's
// weight against the coverage; $10 candidates; $11 the weight of a word found in the text only,
// not in the heading.
//
// Misspellings: a question word of four letters or more that no chunk of the tenant contains and
// that is not a stop word of the tenant's language ("what", "your") is replaced by the most similar
// word of the tenant's vocabulary (knowledge_vocabulary, the chunks' terms, kept by triggers),
// when one is similar enough: the word is looked up by the primary key, the similar ones through
// the trigram index (`%`, at pg_trgm's similarity_threshold of 0.3, narrows the candidates;
// typo_similarity, at least that, decides).
//
// Coverage: the share of the question's words that a chunk contains (itself or a related word)
// in its own heading or its text (not in the headings above it, which its sibling sections
// share), each word weighted by its inverse document frequency among the tenant's chunks, so that
// a passage matching the question's rare, telling words ("lift", "whitening") scores high and one
// matching only a common or incidental one ("Berlin" in "the weather in Berlin") scores low; a
// word no chunk contains ("dogs") weighs as much as one that a single chunk contains. The score
// adds the ts_rank_cd of the words (heading weights, length normalization).
//
// words and weighted are MATERIALIZED: inlined, PostgreSQL would compute every word's query and
// document frequency again for each candidate chunk (three times the statement's time for five
// candidates).
//
constexpr const char* kSearchSql = R"SQL(
WITH b AS (
  SELECT knowledge_search_config(language) AS config, language FROM businesses WHERE id = $1
), fixed AS (
  SELECT asked.ord, asked.word AS asked, coalesce(CASE
           WHEN length(asked.word) >= 4
                AND NOT EXISTS (SELECT 1 FROM knowledge_vocabulary v
                                 WHERE v.business_id = $1 AND v.term = asked.word)
                AND numnode(websearch_to_tsquery(b.config, asked.word)) > 0
           THEN (SELECT v.term FROM knowledge_vocabulary v
                  WHERE v.business_id = $1 AND v.term % asked.word
                    AND similarity(v.term, asked.word) >= $6
                  ORDER BY similarity(v.term, asked.word) DESC, v.term LIMIT 1)
         END, asked.word) AS word
    FROM b, unnest($2::text[]) WITH ORDINALITY AS asked(word, ord)
), thesaurus AS (
  SELECT t.word, t.related FROM b, unnest($3::text[], $4::text[], $5::text[])
    AS t(language, word, related) WHERE t.language = b.language
), words AS MATERIALIZED (
  SELECT fixed.ord, websearch_to_tsquery(b.config, fixed.word) AS own,
         websearch_to_tsquery(b.config, fixed.word || coalesce(
           (SELECT ' or ' || string_agg(related, ' or ') FROM thesaurus
             WHERE thesaurus.word = fixed.asked), '')) AS covered
    FROM fixed, b
), weighted AS MATERIALIZED (
  SELECT words.ord, words.covered,
         ln((n.chunks + 1.0) / (greatest((SELECT count(*) FROM knowledge_chunks c
                                           WHERE c.business_id = $1 AND c.tsv @@ words.own),
                                          1) + 0.5)) AS idf
    FROM words, (SELECT count(*) AS chunks FROM knowledge_chunks WHERE business_id = $1) n
   WHERE numnode(words.own) > 0
), q AS (
  SELECT websearch_to_tsquery(b.config, array_to_string(ARRAY(SELECT word FROM fixed), ' or '))
           AS words,
         websearch_to_tsquery(b.config, coalesce(
           (SELECT string_agg(related, ' or ') FROM thesaurus), '')) AS related
    FROM b
), text_hits AS (
  SELECT c.id, coverage.share AS coverage, coverage.words AS covered,
         ts_rank_cd(c.tsv, q.words, $7) + $8 * ts_rank_cd(c.tsv, q.related, $7) AS rank
    FROM knowledge_chunks c CROSS JOIN q
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(w.idf * CASE WHEN ts_filter(c.tsv, '{a}') @@ w.covered THEN 1.0
                                       WHEN ts_filter(c.tsv, '{d}') @@ w.covered THEN $11::float8
                                       ELSE 0 END)
                      / nullif(sum(w.idf), 0), 0) AS share,
             coalesce(array_agg(w.ord ORDER BY w.ord)
                        FILTER (WHERE ts_filter(c.tsv, '{a,d}') @@ w.covered), '{}') AS words
        FROM weighted w) coverage
   WHERE c.business_id = $1 AND (c.tsv @@ q.words OR c.tsv @@ q.related)
), text_best AS (
  SELECT id, coverage, covered, rank, coverage + $9 * rank AS score FROM text_hits
   ORDER BY score DESC, id LIMIT $10
)
SELECT c.id, c.item_id, i.title, i.source, coalesce(c.heading, ''), c.content, t.score::float8,
       t.coverage::float8, t.covered::text
  FROM text_best t
  JOIN knowledge_chunks c ON c.id = t.id AND c.business_id = $1
  JOIN knowledge_items i ON i.business_id = c.business_id AND i.id = c.item_id
)SQL";

// Every chunk of the tenant that has a vector of the question's model: $1 business, $2 model.
//
// Where the similarity is computed: here, in the agent, over the binary form of the vectors
// (array_send). retrieval_bench --similarity-timing measured three ways for one tenant's chunks
// (README, "Retrieval quality"): the dot product in SQL (unnest of both arrays, the top 20 ids
// returned), reading real[] as text and parsing it in the agent, and reading array_send() as
// bytea; the last was 2.0-2.6 times faster than SQL at 50 to 1000 chunks of 384 and 1536
// dimensions (e.g. 2.5 against 5.7 ms for 50 chunks of 384, 143 against 357 ms for 1000 of 1536):
// PostgreSQL's per-element work dominates (array_send alone is most of (c)); the arithmetic is
// negligible. Either way it grows with chunks x dimensions: fine for tenants of tens of chunks,
// the place for an index (pgvector) or a cache in the agent beyond that.
constexpr const char* kVectorsSql = R"SQL(
SELECT c.id, c.item_id, i.title, i.source, coalesce(c.heading, ''), c.content,
       array_send(c.embedding)
  FROM knowledge_chunks c
  JOIN knowledge_items i ON i.business_id = c.business_id AND i.id = c.item_id
 WHERE c.business_id = $1 AND c.embedding_model = $2
)SQL";

/// `values` as a PostgreSQL text[] literal, each element quoted.
std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal.push_back(',');
    literal.push_back('"');
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') literal.push_back('\\');
      literal.push_back(c);
    }
    literal.push_back('"');
  }
  literal.push_back('}');
  return literal;
}

}  // namespace

std::string RealArrayLiteral(const std::vector<float>& vector) {
  if (vector.empty()) return "";
  std::string literal = "{";
  char buffer[32];
  for (std::size_t i = 0; i < vector.size(); ++i) {
    if (i > 0) literal.push_back(',');
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, vector[i]).ptr;
    literal.append(buffer, end);
  }
  literal.push_back('}');
  return literal;
}

std::vector<RetrievedPassage> SearchKnowledge(pqxx::transaction_base& tx,
                                              const KnowledgeSearch& search,
                                              const RankingOptions& options) {
  const SearchTerms terms = BuildSearchTerms(search.text, "");
  if (terms.words.empty() || search.limit == 0) return {};
  // The thesaurus of every language; the statement keeps the tenant's.
  std::vector<std::string> languages;
  std::vector<std::string> asked;
  std::vector<std::string> related;
  for (const std::string_view language : ThesaurusLanguages()) {
    for (const RelatedWord& pair : RelatedWords(terms.words, language)) {
      languages.emplace_back(language);
      asked.push_back(pair.word);
      related.push_back(pair.related);
    }
  }
  const auto rows =
      db::Exec(tx, kSearchSql, search.business_id, TextArrayLiteral(terms.words),
               TextArrayLiteral(languages), TextArrayLiteral(asked), TextArrayLiteral(related),
               options.typo_similarity, options.normalization, options.related_weight,
               options.rank_weight, options.candidates, options.text_only_weight);

  std::vector<RetrievedPassage> found;
  std::unordered_map<std::string, std::size_t> index;  // chunk id -> position in found
  std::vector<std::string> by_text;                    // ids, best first
  for (const auto& row : rows) {
    RetrievedPassage passage;
    passage.chunk_id = row[0].as<std::string>();
    passage.item_id = row[1].as<std::string>();
    passage.title = row[2].as<std::string>();
    passage.source = row[3].as<std::string>();
    passage.heading = row[4].as<std::string>();
    passage.content = row[5].as<std::string>();
    passage.text_rank = row[6].as<double>();
    passage.coverage = row[7].as<double>();
    passage.covered_words = row[8].as<std::string>();
    passage.score = passage.text_rank;
    index.emplace(passage.chunk_id, found.size());
    found.push_back(std::move(passage));
  }
  std::sort(found.begin(), found.end(), [](const RetrievedPassage& a, const RetrievedPassage& b) {
    return a.text_rank != b.text_rank ? a.text_rank > b.text_rank : a.chunk_id < b.chunk_id;
  });
  index.clear();
  for (std::size_t i = 0; i < found.size(); ++i) {
    index.emplace(found[i].chunk_id, i);
    by_text.push_back(found[i].chunk_id);
  }

  if (!search.embedding.empty()) {
    std::vector<std::pair<double, std::string>> by_similarity;
    for (const auto& row : db::Exec(tx, kVectorsSql, search.business_id, search.embedding_model)) {
      const pqxx::binarystring bytes(row[6]);
      const auto similarity = DotOfArraySend(bytes.str(), search.embedding);
      if (!similarity) continue;  // another length: embedded before a change of dimensions
      const std::string id = row[0].as<std::string>();
      by_similarity.emplace_back(*similarity, id);
      if (const auto it = index.find(id); it != index.end()) {
        found[it->second].similarity = similarity;
        continue;
      }
      RetrievedPassage passage;
      passage.chunk_id = id;
      passage.item_id = row[1].as<std::string>();
      passage.title = row[2].as<std::string>();
      passage.source = row[3].as<std::string>();
      passage.heading = row[4].as<std::string>();
      passage.content = row[5].as<std::string>();
      passage.similarity = similarity;
      index.emplace(id, found.size());
      found.push_back(std::move(passage));
    }
    std::sort(by_similarity.begin(), by_similarity.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (by_similarity.size() > static_cast<std::size_t>(options.candidates)) {
      by_similarity.resize(static_cast<std::size_t>(options.candidates));
    }
    std::vector<std::vector<std::string>> rankings(2);
    rankings[0] = by_text;
    for (const auto& [similarity, id] : by_similarity) rankings[1].push_back(id);
    for (auto& passage : found) passage.score = 0;  // only the fused candidates take part
    for (const FusedId& fused : FuseReciprocalRanks(rankings, options.fusion_k)) {
      found[index.at(fused.id)].score = fused.score;
    }
    std::erase_if(found, [](const RetrievedPassage& passage) { return passage.score == 0; });
    std::sort(found.begin(), found.end(), [](const RetrievedPassage& a, const RetrievedPassage& b) {
      if (a.score != b.score) return a.score > b.score;
      if (a.text_rank != b.text_rank) return a.text_rank > b.text_rank;
      return a.chunk_id < b.chunk_id;
    });
  }
  if (found.size() > search.limit) found.resize(search.limit);
  return found;
}

}  // namespace switchboard::agent
