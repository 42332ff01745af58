#include "workers/sender/text_split.hpp"

#include <cctype>
#include <stdexcept>

namespace switchboard::sender {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Length in bytes of the UTF-8 sequence at text[i]; 1 for a byte that does not start a valid one.
std::size_t SequenceLength(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 1;
  if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
  } else if (lead >= 0xE0) {
    length = lead <= 0xEF ? 3 : 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  }
  if (i + length > text.size()) return 1;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return length;
}

/// The code point of the valid sequence at text[i] (or the byte itself).
char32_t CodePointAt(std::string_view text, std::size_t i) {
  const std::size_t length = SequenceLength(text, i);
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  switch (length) {
    case 2:
      return ((byte(0) & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
    case 3:
      return ((byte(0) & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
    case 4:
      return ((byte(0) & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) |
             (byte(3) & 0x3Fu);
    default:
      return byte(0);
  }
}

/// Code points that belong to the character before them; a hard cut must not precede them.
bool ExtendsPrevious(char32_t c) {
  return c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
         (c >= 0x0300 && c <= 0x036F) || (c >= 0xE0020 && c <= 0xE007F);
}

/// Where to end the next part of `rest` (which starts with a non-space and is longer than
/// `max_chars` code points); the cut is a byte index > 0 on a sequence boundary.
std::size_t FindCut(std::string_view rest, std::size_t max_chars) {
  // Byte offsets of the first max_chars + 1 code point starts.
  std::vector<std::size_t> starts;
  starts.reserve(max_chars + 1);
  std::size_t i = 0;
  while (starts.size() <= max_chars && i < rest.size()) {
    starts.push_back(i);
    i += SequenceLength(rest, i);
  }
  const std::size_t limit = starts[max_chars];  // byte index just past the allowed window

  // A sentence end: the punctuation stays, the whitespace after it (maybe just past the
  // window) goes. Only in the second half, so a short first sentence does not become a message.
  for (std::size_t p = limit; p > 0; --p) {
    if (starts.size() > 1 && p < starts[max_chars / 2]) break;
    if (rest[p] == '\n') return p;
    const char before = rest[p - 1];
    if ((before == '.' || before == '!' || before == '?') && IsSpace(rest[p])) return p;
  }
  // The last whitespace at or before the limit.
  for (std::size_t p = limit; p > 0; --p) {
    if (IsSpace(rest[p])) return p;
  }
  // Hard cut at the limit, stepping back over code points that extend the one before them.
  for (std::size_t k = max_chars; k > 0; --k) {
    const bool after_joiner = CodePointAt(rest, starts[k - 1]) == 0x200D;
    if (!ExtendsPrevious(CodePointAt(rest, starts[k])) && !after_joiner) return starts[k];
  }
  return limit;
}

/// Whether `text` has at most `max_chars` code points; stops counting early.
bool Fits(std::string_view text, std::size_t max_chars) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); i += SequenceLength(text, i)) {
    if (++count > max_chars) return false;
  }
  return true;
}

}  // namespace

std::optional<std::size_t> MaxTextLength(std::string_view channel) {
  std::string lower(channel);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "whatsapp") return kWhatsAppMaxText;
  if (lower == "messenger") return kMessengerMaxText;
  if (lower == "instagram") return kInstagramMaxText;
  return std::nullopt;
}

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); i += SequenceLength(text, i)) ++count;
  return count;
}

std::vector<std::string> SplitForChannel(std::string_view text, std::size_t max_chars) {
  if (max_chars == 0) throw std::invalid_argument("SplitForChannel: max_chars must be positive");
  std::vector<std::string> parts;
  const auto only_space = [](std::string_view s) {
    for (const char c : s) {
      if (!IsSpace(c)) return false;
    }
    return true;
  };
  if (only_space(text)) return parts;
  if (Fits(text, max_chars)) {
    parts.emplace_back(text);
    return parts;
  }
  std::string_view rest = text;
  while (true) {
    while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) break;
    if (Fits(rest, max_chars)) {
      while (IsSpace(rest.back())) rest.remove_suffix(1);
      parts.emplace_back(rest);
      break;
    }
    const std::size_t cut = FindCut(rest, max_chars);
    std::string_view part = rest.substr(0, cut);
    while (IsSpace(part.back())) part.remove_suffix(1);
    parts.emplace_back(part);
    rest.remove_prefix(cut);
  }
  return parts;
}

}  // namespace switchboard::sender
