#pragma once

#include <span>
#include <string>
#include <string_view>

namespace switchboard::ingest {

/// True when `header_value` (X-Hub-Signature-256, "sha256=<64 hex>", either case) is the
/// HMAC-SHA256 of the raw body under any of `app_secrets` (old and new during a rotation).
/// False for a missing/empty header, another prefix, malformed hex or no secrets. Compares in
/// constant time; never throws on bad input.
bool VerifyMetaSignature(std::string_view header_value, std::string_view raw_body,
                         std::span<const std::string> app_secrets);

}  // namespace switchboard::ingest
