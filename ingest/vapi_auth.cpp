#include "ingest/vapi_auth.hpp"

#include <charconv>
#include <cstdint>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/token_cipher.hpp"

namespace switchboard::ingest {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kBearerPrefix = "Bearer ";
constexpr std::string_view kSignaturePrefix = "sha256=";
/// Below this a timestamp is in seconds (it would be March 1973 in milliseconds).
constexpr std::int64_t kMillisecondsFrom = 100'000'000'000;

std::span<const unsigned char> Bytes(std::string_view text) {
  return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

bool MatchesAnySecret(std::string_view presented, const std::vector<std::string>& secrets) {
  bool matched = false;
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    matched = ConstantTimeEqual(Bytes(presented), Bytes(secret)) || matched;
  }
  return matched;
}

/// The digest a signature header carries: 64 hex digits or 44 characters of base64, with an
/// optional "sha256=" prefix; nullopt for anything else.
std::optional<std::vector<unsigned char>> SignatureDigest(std::string_view header) {
  if (header.starts_with(kSignaturePrefix)) header.remove_prefix(kSignaturePrefix.size());
  constexpr std::size_t kDigestBytes = std::tuple_size_v<Sha256Digest>;
  if (header.size() == 2 * kDigestBytes) return HexDecode(header);
  Result<std::string> decoded = Base64Decode(header);
  if (!decoded.ok() || decoded->size() != kDigestBytes) return std::nullopt;
  return std::vector<unsigned char>(decoded->begin(), decoded->end());
}

bool TimestampFresh(std::string_view text, std::chrono::seconds window,
                    std::chrono::system_clock::time_point now) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return false;
  const milliseconds sent =
      value >= kMillisecondsFrom ? milliseconds(value) : milliseconds(value) * 1000;
  const milliseconds at = std::chrono::duration_cast<milliseconds>(now.time_since_epoch());
  const milliseconds skew = sent > at ? sent - at : at - sent;
  return skew <= window;
}

VapiAuthVerdict CheckHmac(const VapiAuthHeaders& headers, std::string_view raw_body,
                          const VapiAuthSettings& settings,
                          std::chrono::system_clock::time_point now) {
  if (!headers.timestamp || !TimestampFresh(*headers.timestamp, settings.replay_window, now)) {
    return VapiAuthVerdict::kStaleTimestamp;
  }
  const auto expected = SignatureDigest(*headers.signature);
  if (!expected) return VapiAuthVerdict::kBadSignature;
  std::string payload;
  payload.reserve(headers.timestamp->size() + 1 + raw_body.size());
  payload.append(*headers.timestamp).append(".").append(raw_body);
  bool matched = false;
  for (const std::string& secret : settings.hmac_secrets) {
    if (secret.empty()) continue;
    matched = ConstantTimeEqual(HmacSha256(secret, payload), *expected) || matched;
  }
  return matched ? VapiAuthVerdict::kAccepted : VapiAuthVerdict::kBadSignature;
}

}  // namespace

std::string_view VerdictName(VapiAuthVerdict verdict) {
  switch (verdict) {
    case VapiAuthVerdict::kAccepted:
      return "accepted";
    case VapiAuthVerdict::kNoCredentials:
      return "no_credentials";
    case VapiAuthVerdict::kWrongSecret:
      return "wrong_secret";
    case VapiAuthVerdict::kBadSignature:
      return "bad_signature";
    case VapiAuthVerdict::kStaleTimestamp:
      return "stale_timestamp";
  }
  return "unknown";
}

VapiAuthVerdict AuthenticateVapi(const VapiAuthHeaders& headers, std::string_view raw_body,
                                 const VapiAuthSettings& settings,
                                 std::chrono::system_clock::time_point now) {
  std::optional<VapiAuthVerdict> first_failure;
  const auto judge = [&first_failure](VapiAuthVerdict verdict) {
    if (verdict != VapiAuthVerdict::kAccepted && !first_failure) first_failure = verdict;
    return verdict == VapiAuthVerdict::kAccepted;
  };
  if (!settings.hmac_secrets.empty() && headers.signature &&
      judge(CheckHmac(headers, raw_body, settings, now))) {
    return VapiAuthVerdict::kAccepted;
  }
  if (!settings.secrets.empty()) {
    if (headers.secret && judge(MatchesAnySecret(*headers.secret, settings.secrets)
                                    ? VapiAuthVerdict::kAccepted
                                    : VapiAuthVerdict::kWrongSecret)) {
      return VapiAuthVerdict::kAccepted;
    }
    if (headers.authorization && headers.authorization->starts_with(kBearerPrefix)) {
      const std::string_view token = headers.authorization->substr(kBearerPrefix.size());
      if (judge(MatchesAnySecret(token, settings.secrets) ? VapiAuthVerdict::kAccepted
                                                          : VapiAuthVerdict::kWrongSecret)) {
        return VapiAuthVerdict::kAccepted;
      }
    }
  }
  return first_failure.value_or(VapiAuthVerdict::kNoCredentials);
}

}  // namespace switchboard::ingest
