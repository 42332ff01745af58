#include "workers/sender/message_status_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::sender {

StatusChange MessageStatusStore::Apply(
    std::string_view channel, std::string_view account, std::string_view platform_message_id,
    const std::function<std::optional<std::string>(std::string_view current)>& next,
    std::string_view errors_json) {
  auto connection = pool_.Acquire();
  StatusChange change;
  // The tenant is not known yet: resolve_integration (SECURITY DEFINER) maps the account to it,
  // in a statement of its own, before the scoped transaction begins.
  pqxx::result integration;
  {
    pqxx::nontransaction lookup(*connection);
    integration = db::Exec(lookup, "SELECT business_id::text FROM resolve_integration($1, $2)",
                           std::string(channel), std::string(account));
  }
  if (integration.empty()) return change;
  change.business_id = integration[0][0].as<std::string>();
  db::TenantWork tx(*connection, change.business_id);
  const pqxx::result message =
      db::Exec(tx,
               "SELECT id::text, status, conversation_id::text FROM messages "
               "WHERE business_id = $1 AND channel = $2 AND platform_message_id = $3 "
               "AND role = 'assistant' FOR UPDATE",
               change.business_id, std::string(channel), std::string(platform_message_id));
  if (message.empty()) {
    change.kind = StatusChange::Kind::kNotOurs;
    return change;
  }
  change.message_id = message[0][0].as<std::string>();
  const auto moved = next(message[0][1].as<std::string>());
  if (!moved) {
    change.kind = StatusChange::Kind::kUnchanged;
    return change;
  }
  if (*moved == "failed") {
    db::Exec(tx,
             "UPDATE messages SET status = 'failed', "
             "error = jsonb_build_object('reason', 'delivery_failed', 'errors', $3::jsonb) "
             "WHERE business_id = $1 AND id = $2",
             change.business_id, change.message_id, std::string(errors_json));
    // The customer did not get the reply: a person has to follow up.
    db::Exec(tx, "UPDATE conversations SET needs_human = true WHERE business_id = $1 AND id = $2",
             change.business_id, message[0][2].as<std::string>());
  } else {
    db::Exec(tx, "UPDATE messages SET status = $3 WHERE business_id = $1 AND id = $2",
             change.business_id, change.message_id, *moved);
  }
  tx.commit();
  change.kind = StatusChange::Kind::kMoved;
  change.status = *moved;
  return change;
}

}  // namespace switchboard::sender
