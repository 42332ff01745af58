#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard {

/// `count` decimal digits of `text` at `at` as a number; -1 when they are not all digits (or
/// `text` ends before).
int DigitsAt(std::string_view text, std::size_t at, std::size_t count);

/// Whether `text` is a UUID in its 8-4-4-4-12 hex form (either case).
bool LooksLikeUuid(std::string_view text);

/// ms since the epoch of an ISO-8601 instant "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)";
/// nullopt for anything else (no offset, a date that does not exist).
std::optional<std::int64_t> ParseInstantMs(std::string_view text);

}  // namespace switchboard
