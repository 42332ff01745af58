#pragma once

// Meta's OAuth connect flow (the "seed plan"): a business owner logs in with Facebook in the
// operator's front end, which posts the code Meta gave it here. We exchange the code for a user
// token, that for a long-lived one (about 60 days), read what it grants (debug_token's granular
// scopes: WhatsApp Business accounts; me/accounts: Pages with their tokens and Instagram
// accounts), list each WhatsApp account's phone numbers, and subscribe our app to the webhooks
// of every WhatsApp account and Page (subscribed_apps). Every call goes to GRAPH_BASE_URL with
// the token in the Authorization header where Graph takes one; no token or secret reaches a log
// line or an error message.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "common/result.hpp"
#include "workers/sender/graph_client.hpp"

namespace switchboard::admin {

/// The Meta app and where Graph is.
struct MetaApp {
  std::string app_id;
  std::string app_secret;
  sender::GraphConfig graph;
};

/// One channel account the login granted, with the token to send as it.
struct GrantedAccount {
  std::string type;         ///< whatsapp, messenger or instagram
  std::string platform_id;  ///< phone_number_id, page id or Instagram account id
  std::string access_token;
  /// Seconds until the token expires; nullopt when it does not (page tokens).
  std::optional<std::int64_t> expires_in;
};

/// Why the flow stopped.
struct ConnectError : Error {
  /// The HTTP status Graph answered with; 0 when no answer came or it was not Graph's.
  int graph_status = 0;
  /// Meta refused the code (expired, used, another redirect_uri): the caller's to fix.
  bool code_refused = false;
};

/// Sends one request (HttpFetch in production; tests pass the real one against a fake Graph API).
using GraphFetch =
    std::function<Result<HttpClientResponse, HttpError>(const HttpClientRequest& request)>;

/// `text` percent-encoded for a URL query (RFC 3986 unreserved characters kept).
std::string QueryEncode(std::string_view text);

/// Runs the flow up to the subscriptions: every account the login grants, WhatsApp numbers
/// first, each subscribed. A ConnectError when a call fails or answers something else than Graph
/// documents; code_refused when the code exchange itself was refused (HTTP 400).
Result<std::vector<GrantedAccount>, ConnectError> ConnectMeta(const MetaApp& app,
                                                              const std::string& code,
                                                              const std::string& redirect_uri,
                                                              const GraphFetch& fetch);

}  // namespace switchboard::admin
