#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace switchboard {

/// A SHA-256 or HMAC-SHA256 digest (32 raw bytes).
using Sha256Digest = std::array<unsigned char, 32>;

/// SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);

/// HMAC-SHA256 of `data` under `key` (OpenSSL); the key may be any length, including empty.
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

/// True when both byte strings are equal; the time taken depends only on their lengths.
bool ConstantTimeEqual(std::span<const unsigned char> a, std::span<const unsigned char> b);

/// A deterministic, UUID-shaped id (version 8, RFC 9562) from the SHA-256 of `parts`; each part
/// is length-prefixed, so ("ab","c") and ("a","bc") differ. Same parts, same id.
std::string EventIdFor(std::initializer_list<std::string_view> parts);

}  // namespace switchboard
