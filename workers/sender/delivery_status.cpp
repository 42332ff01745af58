#include "workers/sender/delivery_status.hpp"

#include <pqxx/pqxx>

#include "common/log.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "common/topics/delivery_status.hpp"

namespace switchboard::sender {
namespace {

/// The position of a message status in NextMessageStatus's order, or -1 for a status the order
/// does not know (the platform's "deleted", "warning", our "received").
int Rank(std::string_view status) {
  if (status == "pending" || status == "unknown") return 0;
  if (status == "sent") return 1;
  if (status == "delivered") return 2;
  if (status == "failed") return 3;
  if (status == "read") return 4;
  return -1;
}

}  // namespace

std::optional<std::string> NextMessageStatus(std::string_view current, std::string_view incoming) {
  const int to = Rank(incoming);
  // Only what the platform reports about delivery moves a message; our own bookkeeping states
  // (pending, unknown) are never reported back.
  if (to <= 0) return std::nullopt;
  if (Rank(current) >= to) return std::nullopt;
  return std::string(incoming);
}

Outcome DeliveryStatusRecorder::Handle(const ConsumedRecord& record) {
  const auto parsed = topics::DeliveryStatus::Decode(record);
  if (!parsed) {
    Log(LogLevel::kError, "malformed delivery status",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(FindHeader(record.headers, "trace-id").value_or(""))}});
    return Outcome::DeadLetter(parsed.error().message);
  }
  const topics::StatusEvent& status = *parsed;
  const std::string platform_message_id = status.platform_message_id.value_or("");
  const std::string errors = topics::ErrorsJson(status.errors);
  if (status.status == "error") {
    // A system-level error of the account (e.g. the number was restricted): for operators.
    Log(LogLevel::kWarning, "platform reported an account-level error",
        {{"event_id", status.event_id},
         {"trace_id", status.trace_id},
         {"channel", status.channel},
         {"channel_account_id", status.channel_account_id},
         {"errors", errors}});
    return Outcome::Done();
  }
  if (platform_message_id.empty() || Rank(status.status) <= 0) {
    Log(LogLevel::kDebug, "delivery status without a message to update",
        {{"event_id", status.event_id}, {"trace_id", status.trace_id}, {"status", status.status}});
    return Outcome::Done();
  }

  auto connection = pool_.Acquire();
  // The tenant is not known yet: resolve_integration (SECURITY DEFINER) maps the account to it,
  // in a statement of its own, before the scoped transaction begins.
  pqxx::result integration;
  {
    pqxx::nontransaction lookup(*connection);
    integration = db::Exec(lookup, "SELECT business_id::text FROM resolve_integration($1, $2)",
                           status.channel, status.channel_account_id);
  }
  if (integration.empty()) {
    Log(LogLevel::kInfo, "delivery status for an unknown channel account",
        {{"event_id", status.event_id},
         {"trace_id", status.trace_id},
         {"channel", status.channel},
         {"channel_account_id", status.channel_account_id}});
    return Outcome::Done();
  }
  const std::string business_id = integration[0][0].as<std::string>();
  db::TenantWork tx(*connection, business_id);
  const pqxx::result message =
      db::Exec(tx,
               "SELECT id::text, status, conversation_id::text FROM messages "
               "WHERE business_id = $1 AND channel = $2 AND platform_message_id = $3 "
               "AND role = 'assistant' FOR UPDATE",
               business_id, status.channel, platform_message_id);
  if (message.empty()) {
    Log(LogLevel::kDebug, "delivery status for a message we did not send",
        {{"event_id", status.event_id},
         {"trace_id", status.trace_id},
         {"platform_message_id", platform_message_id}});
    return Outcome::Done();
  }
  const std::string current = message[0][1].as<std::string>();
  const auto next = NextMessageStatus(current, status.status);
  if (!next) return Outcome::Done();

  const std::string message_id = message[0][0].as<std::string>();
  if (*next == "failed") {
    db::Exec(tx,
             "UPDATE messages SET status = 'failed', "
             "error = jsonb_build_object('reason', 'delivery_failed', 'errors', $3::jsonb) "
             "WHERE business_id = $1 AND id = $2",
             business_id, message_id, errors);
    // The customer did not get the reply: a person has to follow up.
    db::Exec(tx, "UPDATE conversations SET needs_human = true WHERE business_id = $1 AND id = $2",
             business_id, message[0][2].as<std::string>());
    Log(LogLevel::kWarning, "platform could not deliver a reply; conversation flagged",
        {{"event_id", status.event_id},
         {"trace_id", status.trace_id},
         {"business_id", business_id},
         {"message_id", message_id},
         {"errors", errors}});
  } else {
    db::Exec(tx, "UPDATE messages SET status = $3 WHERE business_id = $1 AND id = $2", business_id,
             message_id, *next);
  }
  tx.commit();
  return Outcome::Done();
}

}  // namespace switchboard::sender
