#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Base64Encode/Base64Decode live in common/token_cipher.hpp.

namespace switchboard {

/// Lowercase hex of `bytes`.
std::string HexEncode(std::span<const unsigned char> bytes);

/// The bytes of a hex string (either case); nullopt when the length is odd or a character is not
/// a hex digit.
std::optional<std::vector<unsigned char>> HexDecode(std::string_view hex);

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

/// `text` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD (e.g. the
/// CESU-8 bytes a parser makes of a lone "\udc00" escape).
std::string ToValidUtf8(std::string_view text);

/// `ms` since the Unix epoch as ISO-8601 UTC with milliseconds, e.g. 2024-05-01T09:30:00.000Z.
/// Values outside 1970-01-01..9999-12-31 are clamped to that range.
std::string FormatUtcMillis(std::int64_t ms);

}  // namespace switchboard
