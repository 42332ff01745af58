#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace switchboard {

/// Standard base64 (RFC 4648, with '=' padding) of `bytes`.
std::string Base64Encode(std::string_view bytes);

/// The bytes that standard, padded base64 `text` stands for; an error when it is not valid base64.
Result<std::string> Base64Decode(std::string_view text);

/// Encrypts OAuth tokens at rest with AES-256-GCM under a rotating key ring.
///
/// Blob layout: version byte (1), key-id length (1 byte) and key id, 12-byte random nonce,
/// ciphertext, 16-byte GCM tag. The key id is also the additional authenticated data, so a
/// blob cannot be re-labelled to another key.
class TokenCipher final {
 public:
  /// Builds the ring from `kid1:<base64 32 bytes>,kid2:<base64>` (the first key encrypts, all
  /// decrypt). Throws ConfigError naming TOKEN_ENCRYPTION_KEYS, never the key material, when the
  /// ring is empty or malformed, a key id repeats or a key is not 32 bytes.
  explicit TokenCipher(std::string_view key_ring);

  /// Encrypts `plaintext` under the current key with a fresh random nonce.
  /// Throws std::runtime_error when OpenSSL fails (no randomness, cipher unavailable).
  std::string Encrypt(std::string_view plaintext) const;

  /// The plaintext of a blob made by Encrypt with any key of the ring; a non-retryable error on
  /// truncation, unknown version or key id, or any tampering.
  Result<std::string> Decrypt(std::string_view blob) const;

  /// The id of the key that Encrypt uses.
  const std::string& CurrentKeyId() const { return current_kid_; }

 private:
  std::string current_kid_;
  std::map<std::string, std::string, std::less<>> keys_;
};

}  // namespace switchboard
