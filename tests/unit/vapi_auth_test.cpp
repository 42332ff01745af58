#include <doctest/doctest.h>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/token_cipher.hpp"
#include "ingest/vapi_auth.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::ingest;
using std::chrono::seconds;

constexpr std::string_view kBody = R"({"message":{"type":"status-update","status":"ringing"}})";
// 2026-01-01T00:00:00Z.
const auto kNow = std::chrono::system_clock::time_point(seconds(1767225600));

VapiAuthSettings Settings() {
  return {.secrets = {"old-secret", "new-secret"},
          .hmac_secrets = {"hmac-old", "hmac-new"},
          .replay_window = seconds(300)};
}

std::string HexHmac(std::string_view key, std::string_view timestamp, std::string_view body) {
  return HexEncode(HmacSha256(key, std::string(timestamp) + "." + std::string(body)));
}

VapiAuthVerdict Signed(std::string_view timestamp, const std::string& signature,
                       const VapiAuthSettings& settings = Settings()) {
  return AuthenticateVapi({.signature = signature, .timestamp = timestamp}, kBody, settings, kNow);
}

}  // namespace

TEST_CASE("vapi secret: each configured secret is accepted, anything else refused") {
  const auto settings = Settings();
  CHECK(AuthenticateVapi({.secret = "new-secret"}, kBody, settings, kNow) ==
        VapiAuthVerdict::kAccepted);
  CHECK(AuthenticateVapi({.secret = "old-secret"}, kBody, settings, kNow) ==
        VapiAuthVerdict::kAccepted);
  CHECK(AuthenticateVapi({.secret = "new-secre"}, kBody, settings, kNow) ==
        VapiAuthVerdict::kWrongSecret);
  CHECK(AuthenticateVapi({.secret = "new-secret "}, kBody, settings, kNow) ==
        VapiAuthVerdict::kWrongSecret);
  CHECK(AuthenticateVapi({.secret = ""}, kBody, settings, kNow) == VapiAuthVerdict::kWrongSecret);
  CHECK(AuthenticateVapi({}, kBody, settings, kNow) == VapiAuthVerdict::kNoCredentials);
}

TEST_CASE("vapi secret: a Bearer credential carries the same secret") {
  const auto settings = Settings();
  CHECK(AuthenticateVapi({.authorization = "Bearer old-secret"}, kBody, settings, kNow) ==
        VapiAuthVerdict::kAccepted);
  CHECK(AuthenticateVapi({.authorization = "Bearer nope"}, kBody, settings, kNow) ==
        VapiAuthVerdict::kWrongSecret);
  CHECK(AuthenticateVapi({.authorization = "Basic bmV3LXNlY3JldA=="}, kBody, settings, kNow) ==
        VapiAuthVerdict::kNoCredentials);
}

TEST_CASE("vapi secret: nothing configured refuses everything") {
  const VapiAuthSettings none;
  CHECK(AuthenticateVapi({.secret = ""}, kBody, none, kNow) == VapiAuthVerdict::kNoCredentials);
  CHECK(AuthenticateVapi({.secret = "anything"}, kBody, none, kNow) ==
        VapiAuthVerdict::kNoCredentials);
  const std::string signature = HexHmac("", "1767225600", kBody);
  CHECK(Signed("1767225600", signature, none) == VapiAuthVerdict::kNoCredentials);
}

TEST_CASE("vapi hmac: the signature over {timestamp}.{body} under either secret, hex or base64") {
  CHECK(Signed("1767225600", HexHmac("hmac-new", "1767225600", kBody)) ==
        VapiAuthVerdict::kAccepted);
  CHECK(Signed("1767225600", HexHmac("hmac-old", "1767225600", kBody)) ==
        VapiAuthVerdict::kAccepted);
  CHECK(Signed("1767225600", "sha256=" + HexHmac("hmac-new", "1767225600", kBody)) ==
        VapiAuthVerdict::kAccepted);
  const auto digest = HmacSha256("hmac-new", std::string("1767225600000.") + std::string(kBody));
  CHECK(Signed("1767225600000", Base64Encode(std::string(digest.begin(), digest.end()))) ==
        VapiAuthVerdict::kAccepted);
  // Another secret, another body, another timestamp than the one signed, broken encodings.
  CHECK(Signed("1767225600", HexHmac("vapi-secret", "1767225600", kBody)) ==
        VapiAuthVerdict::kBadSignature);
  CHECK(Signed("1767225600", HexHmac("hmac-new", "1767225600", "{}")) ==
        VapiAuthVerdict::kBadSignature);
  CHECK(Signed("1767225601", HexHmac("hmac-new", "1767225600", kBody)) ==
        VapiAuthVerdict::kBadSignature);
  CHECK(Signed("1767225600", "zz" + HexHmac("hmac-new", "1767225600", kBody).substr(2)) ==
        VapiAuthVerdict::kBadSignature);
  CHECK(Signed("1767225600", "") == VapiAuthVerdict::kBadSignature);
}

TEST_CASE("vapi hmac: the replay window, in seconds or milliseconds") {
  const auto sign = [](std::string_view timestamp) {
    return Signed(timestamp, HexHmac("hmac-new", timestamp, kBody));
  };
  CHECK(sign("1767225900") == VapiAuthVerdict::kAccepted);        // 300 s ahead
  CHECK(sign("1767225300") == VapiAuthVerdict::kAccepted);        // 300 s ago
  CHECK(sign("1767225901") == VapiAuthVerdict::kStaleTimestamp);  // replayed too late
  CHECK(sign("1767225299") == VapiAuthVerdict::kStaleTimestamp);
  CHECK(sign("1767225299999") == VapiAuthVerdict::kStaleTimestamp);
  CHECK(sign("1767225300000") == VapiAuthVerdict::kAccepted);
  CHECK(sign("") == VapiAuthVerdict::kStaleTimestamp);
  CHECK(sign("17672256OO") == VapiAuthVerdict::kStaleTimestamp);
  CHECK(sign("-1767225600") == VapiAuthVerdict::kStaleTimestamp);
  CHECK(AuthenticateVapi({.signature = HexHmac("hmac-new", "", kBody)}, kBody, Settings(), kNow) ==
        VapiAuthVerdict::kStaleTimestamp);
}

TEST_CASE("vapi auth: any valid credential passes, a failure names the first that failed") {
  const std::string good = HexHmac("hmac-new", "1767225600", kBody);
  CHECK(AuthenticateVapi({.secret = "wrong", .signature = good, .timestamp = "1767225600"}, kBody,
                         Settings(), kNow) == VapiAuthVerdict::kAccepted);
  CHECK(AuthenticateVapi({.secret = "new-secret", .signature = "bad", .timestamp = "1767225600"},
                         kBody, Settings(), kNow) == VapiAuthVerdict::kAccepted);
  CHECK(AuthenticateVapi({.secret = "wrong", .signature = "bad", .timestamp = "1767225600"}, kBody,
                         Settings(), kNow) == VapiAuthVerdict::kBadSignature);
  CHECK(VerdictName(VapiAuthVerdict::kStaleTimestamp) == "stale_timestamp");
}
