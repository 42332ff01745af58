#include "workers/admin/dead_letter_store.hpp"

#include "common/prepared.hpp"

namespace switchboard::admin {

std::string_view DeadLetterActionName(DeadLetterAction action) {
  return action == DeadLetterAction::kRedriven ? "redriven" : "purged";
}

std::map<std::string, DeadLetterAction> DeadLetterStore::Actions(pqxx::transaction_base& tx) {
  std::map<std::string, DeadLetterAction> actions;
  for (const auto& row : db::Exec(tx, "SELECT dead_letter_id, action FROM dead_letter_actions")) {
    actions[row[0].as<std::string>()] = row[1].as<std::string>() == "redriven"
                                            ? DeadLetterAction::kRedriven
                                            : DeadLetterAction::kPurged;
  }
  return actions;
}

bool DeadLetterStore::Record(pqxx::transaction_base& tx, const DeadLetterPlace& place,
                             DeadLetterAction action) {
  return !db::Exec(tx,
                   "INSERT INTO dead_letter_actions (dead_letter_id, stage, dlq_topic, "
                   "dlq_partition, dlq_offset, action) VALUES ($1, $2, $3, $4, $5, $6) "
                   "ON CONFLICT (dead_letter_id) DO NOTHING RETURNING dead_letter_id",
                   place.id, place.stage, place.dlq_topic, place.dlq_partition, place.dlq_offset,
                   std::string(DeadLetterActionName(action)))
              .empty();
}

}  // namespace switchboard::admin
