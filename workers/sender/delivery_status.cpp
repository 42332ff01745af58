#include "workers/sender/delivery_status.hpp"

#include "common/log.hpp"
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

  const StatusChange change = store_.Apply(
      status.channel, status.channel_account_id, platform_message_id,
      [&status](std::string_view current) { return NextMessageStatus(current, status.status); },
      errors);
  switch (change.kind) {
    case StatusChange::Kind::kUnknownAccount:
      Log(LogLevel::kInfo, "delivery status for an unknown channel account",
          {{"event_id", status.event_id},
           {"trace_id", status.trace_id},
           {"channel", status.channel},
           {"channel_account_id", status.channel_account_id}});
      break;
    case StatusChange::Kind::kNotOurs:
      Log(LogLevel::kDebug, "delivery status for a message we did not send",
          {{"event_id", status.event_id},
           {"trace_id", status.trace_id},
           {"platform_message_id", platform_message_id}});
      break;
    case StatusChange::Kind::kUnchanged:
      break;
    case StatusChange::Kind::kMoved:
      if (change.status == "failed") {
        Log(LogLevel::kWarning, "platform could not deliver a reply; conversation flagged",
            {{"event_id", status.event_id},
             {"trace_id", status.trace_id},
             {"business_id", change.business_id},
             {"message_id", change.message_id},
             {"errors", errors}});
      }
      break;
  }
  return Outcome::Done();
}

}  // namespace switchboard::sender
