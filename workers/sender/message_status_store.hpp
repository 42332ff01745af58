#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"

namespace switchboard::sender {

/// What MessageStatusStore::Apply found and did.
struct StatusChange {
  enum class Kind {
    kUnknownAccount,  ///< no active integration has the channel account
    kNotOurs,         ///< no assistant message of ours has that platform message id
    kUnchanged,       ///< the decision kept the message's status
    kMoved,           ///< the status moved (to `status`)
  };
  Kind kind = Kind::kUnknownAccount;
  std::string business_id;
  std::string message_id;
  std::string status;  ///< kMoved: the new status
};

/// The SQL of the delivery-status path: the tenant of a channel account and the status of the
/// message we sent.
class MessageStatusStore final {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit MessageStatusStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Maps (`channel`, `account`) to its tenant (resolve_integration, a statement of its own),
  /// then in one transaction scoped to it locks our assistant message `platform_message_id` and
  /// moves its status to `next(current status)` when that has a value. Moving to 'failed' also
  /// stores `errors_json` (a JSON array) on the message and flags its conversation for a human.
  /// Throws pqxx errors.
  StatusChange Apply(
      std::string_view channel, std::string_view account, std::string_view platform_message_id,
      const std::function<std::optional<std::string>(std::string_view current)>& next,
      std::string_view errors_json);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::sender
