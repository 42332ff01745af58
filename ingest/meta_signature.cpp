#include "ingest/meta_signature.hpp"

#include "common/encoding.hpp"
#include "common/hmac.hpp"

namespace switchboard::ingest {
namespace {

constexpr std::string_view kSignaturePrefix = "sha256=";

}  // namespace

bool VerifyMetaSignature(std::string_view header_value, std::string_view raw_body,
                         std::span<const std::string> app_secrets) {
  if (!header_value.starts_with(kSignaturePrefix)) return false;
  const std::string_view hex = header_value.substr(kSignaturePrefix.size());
  if (hex.size() != 2 * std::tuple_size_v<Sha256Digest>) return false;
  const auto expected = HexDecode(hex);
  if (!expected) return false;
  bool matched = false;
  // Every secret is tried, so the time taken does not tell which one matched.
  for (const std::string& secret : app_secrets) {
    if (secret.empty()) continue;
    const Sha256Digest actual = HmacSha256(secret, raw_body);
    matched = ConstantTimeEqual(actual, *expected) || matched;
  }
  return matched;
}

}  // namespace switchboard::ingest
