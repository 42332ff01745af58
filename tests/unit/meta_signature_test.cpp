#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "ingest/meta_signature.hpp"

using switchboard::ingest::VerifyMetaSignature;

namespace {

const std::string kBody = R"({"object":"whatsapp_business_account","entry":[]})";
// Computed independently: printf '%s' '{"object":"whatsapp_business_account","entry":[]}' |
//   openssl dgst -sha256 -hmac 'app-secret-2024'
const std::string kGoodHeader =
    "sha256=70ba98907d9c73aff9bf5a00e65c23d4c270fb941196eda2915090b820097112";
const std::vector<std::string> kSecrets{"app-secret-2024"};

std::string SignatureFor(const std::string& secret, const std::string& body) {
  return "sha256=" + switchboard::HexEncode(switchboard::HmacSha256(secret, body));
}

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace

TEST_CASE("a signature computed independently with openssl is accepted") {
  CHECK(VerifyMetaSignature(kGoodHeader, kBody, kSecrets));
  // RFC-style vector: printf '%s' 'The quick brown fox jumps over the lazy dog' |
  //   openssl dgst -sha256 -hmac key
  CHECK(switchboard::HexEncode(
            switchboard::HmacSha256("key", "The quick brown fox jumps over the lazy dog")) ==
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST_CASE("a signature over other bytes or under another secret is rejected") {
  CHECK_FALSE(VerifyMetaSignature(kGoodHeader, kBody + " ", kSecrets));
  CHECK_FALSE(VerifyMetaSignature(kGoodHeader, kBody, std::vector<std::string>{"other"}));
  CHECK_FALSE(VerifyMetaSignature(SignatureFor("other", kBody), kBody, kSecrets));
  std::string flipped = kGoodHeader;
  flipped.back() = flipped.back() == '2' ? '3' : '2';
  CHECK_FALSE(VerifyMetaSignature(flipped, kBody, kSecrets));
}

TEST_CASE("a missing or malformed header is rejected") {
  const std::string hex = kGoodHeader.substr(7);
  CHECK_FALSE(VerifyMetaSignature("", kBody, kSecrets));
  CHECK_FALSE(VerifyMetaSignature("sha256=", kBody, kSecrets));
  CHECK_FALSE(VerifyMetaSignature("sha1=" + hex, kBody, kSecrets));
  CHECK_FALSE(VerifyMetaSignature(hex, kBody, kSecrets));
  CHECK_FALSE(VerifyMetaSignature("SHA256=" + hex, kBody, kSecrets));
  CHECK_FALSE(VerifyMetaSignature(" sha256=" + hex, kBody, kSecrets));
  CHECK_FALSE(VerifyMetaSignature(kGoodHeader + " ", kBody, kSecrets));
  SUBCASE("odd-length hex") {
    CHECK_FALSE(VerifyMetaSignature(kGoodHeader + "0", kBody, kSecrets));
  }
  SUBCASE("wrong-length hex") {
    CHECK_FALSE(
        VerifyMetaSignature(kGoodHeader.substr(0, kGoodHeader.size() - 2), kBody, kSecrets));
    CHECK_FALSE(VerifyMetaSignature(kGoodHeader + "00", kBody, kSecrets));
  }
  SUBCASE("non-hex characters") {
    std::string bad = kGoodHeader;
    bad[10] = 'g';
    CHECK_FALSE(VerifyMetaSignature(bad, kBody, kSecrets));
  }
}

TEST_CASE("uppercase hex is accepted") {
  CHECK(VerifyMetaSignature("sha256=" + Upper(kGoodHeader.substr(7)), kBody, kSecrets));
}

TEST_CASE("during a rotation both the old and the new secret are accepted") {
  const std::vector<std::string> secrets{"new-secret", "app-secret-2024"};
  CHECK(VerifyMetaSignature(kGoodHeader, kBody, secrets));
  CHECK(VerifyMetaSignature(SignatureFor("new-secret", kBody), kBody, secrets));
  CHECK_FALSE(VerifyMetaSignature(SignatureFor("retired", kBody), kBody, secrets));
}

TEST_CASE("no secrets, or an empty secret, accept nothing") {
  CHECK_FALSE(VerifyMetaSignature(kGoodHeader, kBody, std::vector<std::string>{}));
  CHECK_FALSE(VerifyMetaSignature(SignatureFor("", kBody), kBody, std::vector<std::string>{""}));
}

TEST_CASE("hex helpers") {
  CHECK(switchboard::HexDecode("00ff7Fa0") == std::vector<unsigned char>{0x00, 0xff, 0x7f, 0xa0});
  CHECK_FALSE(switchboard::HexDecode("abc"));
  CHECK_FALSE(switchboard::HexDecode("zz"));
  CHECK(switchboard::HexDecode("")->empty());
}
