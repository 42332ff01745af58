#include "common/token_cipher.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/config.hpp"

namespace switchboard {
namespace {

std::string KeyOf(char fill) {
  return Base64Encode(std::string(32, fill));
}

std::string Ring(std::initializer_list<std::pair<std::string, char>> keys) {
  std::string ring;
  for (const auto& [kid, fill] : keys) {
    if (!ring.empty()) ring += ',';
    ring += kid + ":" + KeyOf(fill);
  }
  return ring;
}

// Message of the ConfigError thrown by building a cipher from `ring` ("" when none is thrown).
std::string ConfigErrorOf(const std::string& ring) {
  try {
    TokenCipher cipher(ring);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("base64 round trips every padding length and rejects malformed text") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  for (const std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = Base64Decode(Base64Encode(text));
    REQUIRE(decoded.ok());
    CHECK(*decoded == text);
  }
  const std::string binary("\0\xff\x10\0", 4);
  CHECK(*Base64Decode(Base64Encode(binary)) == binary);

  CHECK_FALSE(Base64Decode("Zg=").ok());     // not a multiple of 4
  CHECK_FALSE(Base64Decode("Z===").ok());    // too much padding
  CHECK_FALSE(Base64Decode("Zg=a").ok());    // data after padding
  CHECK_FALSE(Base64Decode("Zm9*").ok());    // not in the alphabet
  CHECK_FALSE(Base64Decode("Zm9v\n").ok());  // whitespace is not tolerated
}

TEST_CASE("a token round trips, including empty and binary tokens") {
  const TokenCipher cipher(Ring({{"k1", 'a'}}));
  CHECK(cipher.CurrentKeyId() == "k1");
  for (const std::string& token :
       {std::string("EAAGm0PX4ZCpsBA-long-lived-page-token"), std::string(), std::string(1, 'x'),
        std::string("\0\x01\xfe", 3), std::string(10000, 'z')}) {
    const std::string blob = cipher.Encrypt(token);
    CHECK(blob.size() == 1 + 1 + 2 + 12 + token.size() + 16);
    CHECK(blob.find("k1") == 2);  // the key id travels in clear
    auto plain = cipher.Decrypt(blob);
    REQUIRE(plain.ok());
    CHECK(*plain == token);
  }
}

TEST_CASE("the plaintext does not appear in the blob and nonces differ between encryptions") {
  const TokenCipher cipher(Ring({{"k1", 'a'}}));
  const std::string token = "secret-token-secret-token";
  const std::string a = cipher.Encrypt(token);
  const std::string b = cipher.Encrypt(token);
  CHECK(a.find("secret") == std::string::npos);
  CHECK(a != b);
  CHECK(a.substr(4, 12) != b.substr(4, 12));  // the nonce
  CHECK(*cipher.Decrypt(a) == token);
  CHECK(*cipher.Decrypt(b) == token);
}

TEST_CASE("flipping any bit of any byte makes decryption fail") {
  const TokenCipher cipher(Ring({{"k1", 'a'}, {"k2", 'b'}}));
  const std::string blob = cipher.Encrypt("hello token");
  for (std::size_t i = 0; i < blob.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = blob;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      auto result = cipher.Decrypt(tampered);
      INFO("byte " << i << " bit " << bit);
      REQUIRE_FALSE(result.ok());
      CHECK_FALSE(result.error().retryable);
    }
  }
}

TEST_CASE("truncated or extended blobs fail") {
  const TokenCipher cipher(Ring({{"k1", 'a'}}));
  const std::string blob = cipher.Encrypt("hello token");
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto result = cipher.Decrypt(blob.substr(0, n));
    INFO("length " << n);
    CHECK_FALSE(result.ok());
  }
  CHECK_FALSE(cipher.Decrypt(blob + "x").ok());
}

TEST_CASE("a blob under a key id the ring does not hold fails with that id in the message") {
  const TokenCipher old_ring(Ring({{"old", 'a'}}));
  const TokenCipher new_ring(Ring({{"new", 'b'}}));
  auto result = new_ring.Decrypt(old_ring.Encrypt("token"));
  REQUIRE_FALSE(result.ok());
  CHECK_FALSE(result.error().retryable);
  CHECK(result.error().message.find("'old'") != std::string::npos);
}

TEST_CASE("same key id with a different key fails authentication") {
  const TokenCipher a(Ring({{"k1", 'a'}}));
  const TokenCipher b(Ring({{"k1", 'b'}}));
  CHECK_FALSE(b.Decrypt(a.Encrypt("token")).ok());
}

TEST_CASE("rotation: blobs under the old key still decrypt after a new key is put first") {
  const TokenCipher before(Ring({{"2025", 'a'}}));
  const std::string old_blob = before.Encrypt("old token");

  const TokenCipher after(Ring({{"2026", 'b'}, {"2025", 'a'}}));
  CHECK(after.CurrentKeyId() == "2026");
  CHECK(*after.Decrypt(old_blob) == "old token");
  const std::string new_blob = after.Encrypt("new token");
  CHECK(new_blob.substr(2, 4) == "2026");
  CHECK(*after.Decrypt(new_blob) == "new token");
  // The old ring cannot read what the new current key wrote.
  CHECK_FALSE(before.Decrypt(new_blob).ok());
}

TEST_CASE("spaces around entries are tolerated") {
  const TokenCipher cipher(" k1 : " + KeyOf('a') + " , k2:" + KeyOf('b') + " ");
  CHECK(cipher.CurrentKeyId() == "k1");
  CHECK(*cipher.Decrypt(cipher.Encrypt("t")) == "t");
}

TEST_CASE("malformed key rings throw ConfigError naming the variable, never the key") {
  const std::string key = KeyOf('a');
  const std::string short_key = Base64Encode(std::string(16, 'q'));
  for (const std::string& ring : std::vector<std::string>{
           std::string(),
           std::string(","),
           "k1:" + key + ",",
           "k1" + key,
           ":" + key,
           "k1:",
           "k1:not*base64",
           "k1:" + short_key,
           "k1:" + Base64Encode(std::string(33, 'q')),
           "k1:" + key + ",k1:" + KeyOf('b'),
           "k 1:" + key,
           std::string(256, 'k') + ":" + key,
       }) {
    const std::string message = ConfigErrorOf(ring);
    INFO("ring '" << ring << "' -> '" << message << "'");
    REQUIRE_FALSE(message.empty());
    CHECK(message.find("TOKEN_ENCRYPTION_KEYS") != std::string::npos);
    CHECK(message.find(key) == std::string::npos);
    CHECK(message.find(short_key) == std::string::npos);
  }
  CHECK(ConfigErrorOf("k1:" + short_key).find("16 bytes") != std::string::npos);
  CHECK(ConfigErrorOf(std::string(255, 'k') + ":" + key).empty());
}

}  // namespace
}  // namespace switchboard
