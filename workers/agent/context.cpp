#include "workers/agent/context.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::agent {

namespace {

bool IsWordByte(unsigned char c) {
  // Bytes of multi-byte UTF-8 sequences count as letters, so non-ASCII words stay whole.
  return std::isalnum(c) != 0 || c >= 0x80;
}

}  // namespace

std::string KnowledgeQueryText(std::string_view text) {
  std::string query;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) break;
    std::string word(text.substr(start, i - start));
    std::string lower = word;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "or") continue;  // websearch_to_tsquery's operator; a stop word anyway
    if (!query.empty()) query += " or ";
    query += word;
  }
  return query;
}

}  // namespace switchboard::agent
