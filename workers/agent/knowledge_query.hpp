#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::agent {

/// What the full-text search looks for, built from a customer's question.
struct SearchTerms {
  /// The question's words, lowercased (ASCII letters; other bytes kept), in order, each once;
  /// operators and punctuation dropped. PostgreSQL drops the stop words of the language.
  std::vector<std::string> words;
  /// Words of the receptionist thesaurus that the question's words call up (lowercased, not
  /// among `words`): "cost" calls up "price", "elevator" calls up "lift". Searched with the
  /// words, ranked below them.
  std::vector<std::string> related;
};

/// The question `text` as search terms in `language` (ISO 639-1; the thesaurus exists for "en"
/// and "de", other languages get no related words). Pure.
SearchTerms BuildSearchTerms(std::string_view text, std::string_view language);

/// A related word of the thesaurus and the question word that called it up.
struct RelatedWord {
  std::string word;
  std::string related;
};

/// For each of `words`, the thesaurus' related words in `language` (none for a language without
/// a thesaurus), in group order.
std::vector<RelatedWord> RelatedWords(const std::vector<std::string>& words,
                                      std::string_view language);

/// The languages the thesaurus has related words for.
std::vector<std::string_view> ThesaurusLanguages();

/// `words` joined with " or " (websearch_to_tsquery syntax); "" when empty.
std::string OrQueryText(const std::vector<std::string>& words);

}  // namespace switchboard::agent
