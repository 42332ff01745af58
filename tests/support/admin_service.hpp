#pragma once

#include <map>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/http_client.hpp"

namespace switchboard::testing {

/// switchboard-admin serve as its real binary on a free port, with a fresh platform admin token,
/// against the broker and database of tests/run (DATABASE_URL: the application role); stopped
/// with SIGTERM when destroyed.
class AdminService final {
 public:
  /// `environment` adds variables or replaces the test's (e.g. META_APP_ID, GRAPH_BASE_URL).
  explicit AdminService(const std::map<std::string, std::string>& environment = {});
  ~AdminService();
  AdminService(const AdminService&) = delete;
  AdminService& operator=(const AdminService&) = delete;

  /// The platform admin token it accepts.
  const std::string& Token() const { return token_; }
  /// The loopback port it listens on.
  unsigned short Port() const { return port_; }
  /// Everything it logged so far.
  std::string Logs() const;
  /// SIGTERM; the exit code.
  int Stop();

  /// One request with `token` as the Bearer credential (none when empty).
  HttpResult Call(const std::string& method, const std::string& target, const std::string& token,
                  const std::string& body = "") const;
  /// One request with the platform admin token.
  HttpResult AsAdmin(const std::string& method, const std::string& target,
                     const std::string& body = "") const;

 private:
  std::string token_;
  ChildProcess process_;
  unsigned short port_ = 0;
  bool stopped_ = false;
};

/// What a Meta login grants, as ScriptMetaLogin has the fake Graph API tell it.
struct MetaLogin {
  std::string business_account = "100000000000009";
  std::string phone_number_id;
  std::string page_id;
  std::string instagram_id;
  std::string user_token = "long-lived-user-token";
  std::string page_token = "page-token";
  /// The long-lived user token's lifetime.
  long expires_in_seconds = 5 * 24 * 3600;
};

/// Scripts `graph`'s next answers as Meta answers the connect flow's calls, in their order:
/// code exchange, long-lived token, debug_token (the WhatsApp account), its phone numbers, its
/// subscription, me/accounts (the Page and its Instagram account), the Page's subscription.
void ScriptMetaLogin(FakeGraphApi& graph, const MetaLogin& login);

}  // namespace switchboard::testing
