#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::sender {

/// Longest text body of one WhatsApp Cloud API message, in characters.
inline constexpr std::size_t kWhatsAppMaxText = 4096;
/// Longest text of one Messenger message, in characters.
inline constexpr std::size_t kMessengerMaxText = 2000;
/// Longest text of one Instagram message, in characters.
inline constexpr std::size_t kInstagramMaxText = 1000;

/// The text limit of `channel` ("whatsapp", "messenger", "instagram"; any letter case), or
/// nullopt for a channel without a known limit.
std::optional<std::size_t> MaxTextLength(std::string_view channel);

/// The number of Unicode code points in UTF-8 `text`; each byte of an invalid sequence counts
/// as one.
std::size_t CountCodePoints(std::string_view text);

/// Splits `text` into messages of at most `max_chars` code points, never inside a UTF-8
/// sequence. A text that fits is returned as it is. Otherwise each cut is made at the last
/// sentence end (". ", "! ", "? " or a newline) in the second half of the allowed length, else at
/// the last whitespace, else at the limit (moved back so as not to separate a joiner, variation
/// selector, skin tone or combining mark from its character). Whitespace at the cuts is dropped;
/// no part is empty; the parts are, in order, the text with only that whitespace removed. An
/// empty or all-whitespace text gives no parts. Throws std::invalid_argument when max_chars is 0.
std::vector<std::string> SplitForChannel(std::string_view text, std::size_t max_chars);

}  // namespace switchboard::sender
