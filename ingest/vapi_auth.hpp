#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::ingest {

/// How Vapi proves a server-URL request is its own (see README "Vapi voice").
struct VapiAuthSettings {
  /// VAPI_SECRET: each secret the `x-vapi-secret` header (or a Bearer credential's token) may
  /// carry; several during a rotation. Empty: that way of authenticating is off.
  std::vector<std::string> secrets;
  /// VAPI_HMAC_SECRET: each key an HMAC credential may sign with. Empty: HMAC is off.
  std::vector<std::string> hmac_secrets;
  /// An HMAC-signed request whose timestamp is further than this from now is refused (replay).
  std::chrono::seconds replay_window{300};
};

/// The authentication headers of one request, as received (nullopt when absent).
struct VapiAuthHeaders {
  std::optional<std::string_view> secret;         ///< x-vapi-secret
  std::optional<std::string_view> authorization;  ///< Authorization ("Bearer <token>")
  std::optional<std::string_view> signature;      ///< x-signature
  std::optional<std::string_view> timestamp;      ///< x-timestamp
};

/// Why a request was accepted or refused; only kAccepted lets it through.
enum class VapiAuthVerdict {
  kAccepted,
  kNoCredentials,   ///< none of the headers, or no way of authenticating is configured
  kWrongSecret,     ///< x-vapi-secret or Bearer token matches no VAPI_SECRET
  kBadSignature,    ///< x-signature malformed or not the HMAC of "{timestamp}.{body}"
  kStaleTimestamp,  ///< x-timestamp missing, malformed or outside the replay window
};

/// The verdict's name for logs and metrics, e.g. "wrong_secret".
std::string_view VerdictName(VapiAuthVerdict verdict);

/// Checks one request. A shared secret (x-vapi-secret, or Authorization "Bearer <token>")
/// is compared in constant time against every VAPI_SECRET. An HMAC credential (when
/// `settings.hmac_secrets` is set) must send x-timestamp (Unix seconds or milliseconds) within
/// the replay window of `now` and x-signature: HMAC-SHA256 of "{timestamp}.{raw body}" as hex or
/// base64, optionally prefixed "sha256=", under any HMAC secret. Accepted when any credential
/// the request presents verifies; else the verdict of the first that failed (HMAC, then
/// x-vapi-secret, then Bearer). Never throws on bad input; every secret is tried, so the time
/// taken does not tell which one matched.
VapiAuthVerdict AuthenticateVapi(const VapiAuthHeaders& headers, std::string_view raw_body,
                                 const VapiAuthSettings& settings,
                                 std::chrono::system_clock::time_point now);

}  // namespace switchboard::ingest
