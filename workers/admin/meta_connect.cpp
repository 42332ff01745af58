#include "workers/admin/meta_connect.hpp"

#include <set>

#include "common/json.hpp"

namespace switchboard::admin {

namespace {

/// Calls Graph and returns the parsed JSON body of a 2xx answer.
class Graph final {
 public:
  Graph(const MetaApp& app, const GraphFetch& fetch) : app_(app), fetch_(fetch) {}

  /// `what` names the call in errors; `target` is "<path>?<query>" after the version.
  Result<json::Document, ConnectError> Call(std::string_view what, const std::string& method,
                                            const std::string& target,
                                            const std::string& token = {}) const {
    HttpClientRequest request;
    request.method = method;
    request.url = app_.graph.base_url + "/" + app_.graph.version + "/" + target;
    request.timeout = app_.graph.timeout;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    const auto answer = fetch_(request);
    if (!answer.ok()) {
      return Failure(std::string(what) + ": " + answer.error().message, answer.error().retryable);
    }
    auto body = json::Parse(answer->body, json::InvalidUtf8::kKeep);
    if (answer->status < 200 || answer->status >= 300) {
      // Graph's error message, never the request (its query may hold the code or the secret).
      std::string message;
      if (body.ok()) {
        if (const json::Value* error = json::Find(*body, "error")) {
          message = json::StringOr(*error, "message");
        }
      }
      ConnectError failure;
      failure.message = std::string(what) + ": Graph answered " + std::to_string(answer->status) +
                        (message.empty() ? "" : " (" + message + ")");
      failure.retryable = answer->status == 429 || answer->status >= 500;
      failure.graph_status = answer->status;
      return failure;
    }
    if (!body.ok() || !body->IsObject()) return Failure(std::string(what) + ": not a JSON object");
    return std::move(body).value();
  }

  static ConnectError Failure(std::string message, bool retryable = false) {
    ConnectError error;
    error.message = std::move(message);
    error.retryable = retryable;
    return error;
  }

 private:
  const MetaApp& app_;
  const GraphFetch& fetch_;
};

/// The access token and its lifetime in an oauth/access_token answer.
Result<std::pair<std::string, std::optional<std::int64_t>>, ConnectError> TokenOf(
    const json::Document& body, std::string_view what) {
  const std::string token = json::StringOr(body, "access_token");
  if (token.empty()) return Graph::Failure(std::string(what) + ": no access_token");
  return std::pair{token, json::Int(body, "expires_in")};
}

/// The items of a {"data": [...]} answer.
const json::Value* Data(const json::Document& body) {
  const json::Value* data = json::Find(body, "data");
  return data != nullptr && data->IsArray() ? data : nullptr;
}

}  // namespace

std::string QueryEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<std::vector<GrantedAccount>, ConnectError> ConnectMeta(const MetaApp& app,
                                                              const std::string& code,
                                                              const std::string& redirect_uri,
                                                              const GraphFetch& fetch) {
  const Graph graph(app, fetch);
  const std::string client =
      "client_id=" + QueryEncode(app.app_id) + "&client_secret=" + QueryEncode(app.app_secret);
  auto exchanged =
      graph.Call("code exchange", "GET",
                 "oauth/access_token?" + client + "&redirect_uri=" + QueryEncode(redirect_uri) +
                     "&code=" + QueryEncode(code));
  if (!exchanged.ok()) {
    ConnectError error = exchanged.error();
    error.code_refused = error.graph_status == 400;
    return error;
  }
  auto short_lived = TokenOf(*exchanged, "code exchange");
  if (!short_lived.ok()) return short_lived.error();

  auto extended = graph.Call("long-lived token", "GET",
                             "oauth/access_token?grant_type=fb_exchange_token&" + client +
                                 "&fb_exchange_token=" + QueryEncode(short_lived->first));
  if (!extended.ok()) return extended.error();
  auto long_lived = TokenOf(*extended, "long-lived token");
  if (!long_lived.ok()) return long_lived.error();
  const std::string& user_token = long_lived->first;

  std::vector<GrantedAccount> accounts;
  // The WhatsApp Business accounts the login granted, from the token's granular scopes.
  auto debug = graph.Call("debug_token", "GET",
                          "debug_token?input_token=" + QueryEncode(user_token) +
                              "&access_token=" + QueryEncode(app.app_id + "|" + app.app_secret));
  if (!debug.ok()) return debug.error();
  std::set<std::string> business_accounts;
  if (const json::Value* data = json::Find(*debug, "data")) {
    if (const json::Value* scopes = json::Find(*data, "granular_scopes");
        scopes != nullptr && scopes->IsArray()) {
      for (const json::Value& scope : scopes->GetArray()) {
        const std::string name = json::StringOr(scope, "scope");
        const json::Value* targets = json::Find(scope, "target_ids");
        if (!name.starts_with("whatsapp_business") || targets == nullptr || !targets->IsArray()) {
          continue;
        }
        for (const json::Value& target : targets->GetArray()) {
          if (target.IsString()) business_accounts.insert(std::string(json::View(target)));
        }
      }
    }
  }
  for (const std::string& waba : business_accounts) {
    auto numbers =
        graph.Call("phone numbers", "GET",
                   QueryEncode(waba) + "/phone_numbers?fields=id,display_phone_number", user_token);
    if (!numbers.ok()) return numbers.error();
    if (const json::Value* data = Data(*numbers)) {
      for (const json::Value& number : data->GetArray()) {
        const std::string id = json::StringOr(number, "id");
        if (!id.empty()) accounts.push_back({"whatsapp", id, user_token, long_lived->second});
      }
    }
    auto subscribed = graph.Call("WhatsApp subscription", "POST",
                                 QueryEncode(waba) + "/subscribed_apps", user_token);
    if (!subscribed.ok()) return subscribed.error();
  }

  // The Pages, each with its own token and its Instagram account, if any.
  auto pages =
      graph.Call("pages", "GET",
                 "me/accounts?fields=id,name,access_token,instagram_business_account", user_token);
  if (!pages.ok()) return pages.error();
  if (const json::Value* data = Data(*pages)) {
    for (const json::Value& page : data->GetArray()) {
      const std::string id = json::StringOr(page, "id");
      const std::string token = json::StringOr(page, "access_token");
      if (id.empty() || token.empty()) continue;
      accounts.push_back({"messenger", id, token, std::nullopt});
      if (const json::Value* instagram = json::Find(page, "instagram_business_account")) {
        const std::string instagram_id = json::StringOr(*instagram, "id");
        if (!instagram_id.empty()) {
          accounts.push_back({"instagram", instagram_id, token, std::nullopt});
        }
      }
      auto subscribed = graph.Call(
          "page subscription", "POST",
          QueryEncode(id) + "/subscribed_apps?subscribed_fields=messages,messaging_postbacks",
          token);
      if (!subscribed.ok()) return subscribed.error();
    }
  }
  return accounts;
}

}  // namespace switchboard::admin
