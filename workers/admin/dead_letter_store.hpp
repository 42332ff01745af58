#pragma once

#include <map>
#include <string>

#include <pqxx/pqxx>

namespace switchboard::admin {

/// What an admin did with a dead letter (migration 0013).
enum class DeadLetterAction { kRedriven, kPurged };

/// "redriven" or "purged".
std::string_view DeadLetterActionName(DeadLetterAction action);

/// Where a dead letter is: its id, stage and place in its "<topic>.dlq" topic.
struct DeadLetterPlace {
  std::string id;
  std::string stage;
  std::string dlq_topic;
  std::int32_t dlq_partition = 0;
  std::int64_t dlq_offset = 0;
};

/// The SQL of dead_letter_actions. Works unscoped (no tenant): the table's policy admits only that.
class DeadLetterStore final {
 public:
  /// Every dead letter id dealt with, and what was done.
  static std::map<std::string, DeadLetterAction> Actions(pqxx::transaction_base& tx);
  /// Records `action` on `place` in `tx`; false when the dead letter was dealt with already (by
  /// this or a concurrent transaction, which this one waits for).
  static bool Record(pqxx::transaction_base& tx, const DeadLetterPlace& place,
                     DeadLetterAction action);
};

}  // namespace switchboard::admin
