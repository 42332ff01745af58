#pragma once

#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

namespace switchboard::testing {

/// switchboard-admin serve as its real binary on a free port, with a fresh platform admin token,
/// against the broker and database of tests/run (DATABASE_URL: the application role); stopped
/// with SIGTERM when destroyed.
class AdminService final {
 public:
  AdminService();
  ~AdminService();
  AdminService(const AdminService&) = delete;
  AdminService& operator=(const AdminService&) = delete;

  /// The platform admin token it accepts.
  const std::string& Token() const { return token_; }
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

}  // namespace switchboard::testing
