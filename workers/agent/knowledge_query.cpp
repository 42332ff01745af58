#include "workers/agent/knowledge_query.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>

namespace switchboard::agent {
namespace {

/// Groups of words a customer and a business use for the same thing, in a receptionist's
/// domain (hours, prices, place, parking, payment, booking, cancelling, urgency, access, phone).
/// A question word of a group calls up the group's other words. Kept small and general on
/// purpose: every group is a question customers of any appointment business ask.
struct RelatedGroup {
  std::initializer_list<std::string_view> words;
};

const std::initializer_list<RelatedGroup> kEnglish = {
    {{"open", "opening", "hours", "close", "closed", "closing"}},
    {{"weekend", "weekends", "saturday", "sunday"}},
    {{"price", "prices", "cost", "costs", "fee", "fees", "charge", "much", "expensive", "cheap"}},
    {{"address", "located", "location", "directions"}},
    {{"park", "parking", "car", "garage"}},
    {{"bike", "bicycle", "bicycles", "cycle"}},
    {{"station", "train", "bus", "tram", "subway", "metro", "bahn", "transport"}},
    {{"pay", "payment", "card", "cash", "credit", "visa", "mastercard"}},
    {{"book", "booking", "appointment", "appointments", "schedule"}},
    {{"service", "services", "offer", "offers", "treatment", "treatments"}},
    {{"cancel", "cancelling", "cancellation", "reschedule"}},
    {{"emergency", "urgent", "pain", "ache", "toothache", "hurts"}},
    {{"lift", "elevator", "wheelchair", "accessible", "stairs"}},
    {{"phone", "telephone", "call", "number"}},
    {{"insurance", "insured", "insurer", "coverage", "covered"}},
    {{"child", "children", "kid", "kids", "son", "daughter", "minor", "parent", "guardian"}},
    {{"anxious", "scared", "afraid", "nervous", "fear"}},
};

const std::initializer_list<RelatedGroup> kGerman = {
    {{"geöffnet", "öffnungszeiten", "offen", "geschlossen"}},
    {{"wochenende", "samstag", "sonntag"}},
    {{"preis", "preise", "kosten", "kostet", "teuer", "gebühr", "günstig"}},
    {{"adresse", "anfahrt", "finden"}},
    {{"parken", "parkplatz", "parkplätze", "parkhaus", "auto"}},
    {{"bahn", "station", "bus", "tram", "haltestelle", "verkehrsmittel"}},
    {{"zahlen", "bezahlen", "bezahlung", "karte", "kreditkarte", "bar", "barzahlung"}},
    {{"termin", "termine", "buchen", "vereinbaren", "reservieren"}},
    {{"leistung", "leistungen", "angebot", "anbieten", "bieten"}},
    {{"absagen", "stornieren", "verschieben", "absage"}},
    {{"telefon", "anrufen", "nummer", "telefonnummer"}},
    {{"kind", "kinder", "sohn", "tochter", "eltern"}},
};

bool IsWordByte(unsigned char c) {
  // Bytes of multi-byte UTF-8 sequences count as letters, so non-ASCII words stay whole.
  return std::isalnum(c) != 0 || c >= 0x80;
}

/// ASCII lowercase, and the German capitals Ä Ö Ü (the letters a German question starts its
/// nouns with) as their small letters, so "Öffnungszeiten" finds the group's "öffnungszeiten".
std::string Lowercase(std::string_view word) {
  std::string lower;
  lower.reserve(word.size());
  for (std::size_t i = 0; i < word.size(); ++i) {
    const auto c = static_cast<unsigned char>(word[i]);
    if (c == 0xC3 && i + 1 < word.size()) {
      const auto next = static_cast<unsigned char>(word[i + 1]);
      if (next == 0x84 || next == 0x96 || next == 0x9C) {  // Ä Ö Ü
        lower.push_back(static_cast<char>(c));
        lower.push_back(static_cast<char>(next + 0x20));
        ++i;
        continue;
      }
    }
    lower.push_back(static_cast<char>(std::tolower(c)));
  }
  return lower;
}

const std::initializer_list<RelatedGroup>* GroupsOf(std::string_view language) {
  if (language == "en") return &kEnglish;
  if (language == "de") return &kGerman;
  return nullptr;
}

void AddOnce(std::vector<std::string>& list, std::string_view word) {
  if (std::find(list.begin(), list.end(), word) == list.end()) list.emplace_back(word);
}

}  // namespace

SearchTerms BuildSearchTerms(std::string_view text, std::string_view language) {
  SearchTerms terms;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) break;
    std::string word = Lowercase(text.substr(start, i - start));
    if (word == "or") continue;  // websearch_to_tsquery's operator; a stop word anyway
    AddOnce(terms.words, word);
  }
  if (const auto* groups = GroupsOf(language)) {
    for (const RelatedGroup& group : *groups) {
      const bool called = std::any_of(group.words.begin(), group.words.end(), [&](auto member) {
        return std::find(terms.words.begin(), terms.words.end(), member) != terms.words.end();
      });
      if (!called) continue;
      for (const std::string_view member : group.words) {
        if (std::find(terms.words.begin(), terms.words.end(), member) == terms.words.end()) {
          AddOnce(terms.related, member);
        }
      }
    }
  }
  return terms;
}

std::vector<RelatedWord> RelatedWords(const std::vector<std::string>& words,
                                      std::string_view language) {
  std::vector<RelatedWord> pairs;
  const auto* groups = GroupsOf(language);
  if (groups == nullptr) return pairs;
  for (const std::string& word : words) {
    for (const RelatedGroup& group : *groups) {
      if (std::find(group.words.begin(), group.words.end(), word) == group.words.end()) continue;
      for (const std::string_view member : group.words) {
        if (member != word) pairs.push_back({word, std::string(member)});
      }
    }
  }
  return pairs;
}

std::vector<std::string_view> ThesaurusLanguages() {
  return {"en", "de"};
}

std::string OrQueryText(const std::vector<std::string>& words) {
  std::string query;
  for (const std::string& word : words) {
    if (word.empty() || word == "or") continue;
    if (!query.empty()) query += " or ";
    query += word;
  }
  return query;
}

}  // namespace switchboard::agent
