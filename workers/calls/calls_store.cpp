#include "workers/calls/calls_store.hpp"

#include <pqxx/pqxx>

#include "common/customer_identity.hpp"
#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "common/text_shapes.hpp"

namespace switchboard::calls {
namespace {

/// The conversation's metadata (migration 0001: channel-specific extras of a voice call).
std::string CallMetadata(const topics::VoiceEvent& event, const CallReport& report,
                         const std::string& caller) {
  json::Writer writer;
  writer.StartObject()
      .Field("call_id", event.call_id)
      .NonEmptyField("phone_number_id", event.phone_number_id)
      .NonEmptyField("caller", caller)
      .NonEmptyField("ended_reason", report.ended_reason)
      .NonEmptyField("summary", report.summary)
      .NonEmptyField("recording_url", report.recording_url);
  if (report.started_ms) writer.Field("started_at", FormatUtcMillis(*report.started_ms));
  if (report.ended_ms) writer.Field("ended_at", FormatUtcMillis(*report.ended_ms));
  writer.Field("duration_seconds", static_cast<double>(report.duration_ms) / 1000.0)
      .Field("voice_seconds", report.VoiceSeconds());
  if (report.cost) writer.Field("cost", *report.cost);
  writer.Field("event_id", event.event_id).EndObject();
  return writer.Take();
}

/// The transcript as rows for jsonb_to_recordset: role, content, status, event_id and the time
/// each line was said (`base_ms` plus its position when the report does not say, so the order
/// holds).
std::string TranscriptRows(const topics::VoiceEvent& event, const CallReport& report,
                           std::int64_t base_ms) {
  json::Writer writer;
  writer.StartArray();
  for (std::size_t i = 0; i < report.transcript.size(); ++i) {
    const TranscriptLine& line = report.transcript[i];
    const bool caller = line.speaker == Speaker::kCaller;
    writer.StartObject()
        .Field("role", caller ? "user" : "assistant")
        .Field("content", line.text)
        // What the caller said was received; what the assistant said was spoken to them.
        .Field("status", caller ? "received" : "sent")
        .Field("event_id", event.event_id + ":line:" + std::to_string(i))
        .Field("at", FormatUtcMillis(line.at_ms.value_or(base_ms + static_cast<std::int64_t>(i))))
        .EndObject();
  }
  writer.EndArray();
  return writer.Take();
}

}  // namespace

std::string CallConversationId(std::string_view business_id, std::string_view call_id) {
  return EventIdFor({"voice call conversation", business_id, call_id});
}

StoredCall CallsStore::Store(const topics::VoiceEvent& event, const CallReport& report) {
  const std::string conversation_id = CallConversationId(event.business_id, event.call_id);
  auto lease = pool_.Acquire();
  db::TenantWork tx(*lease, event.business_id);
  // Looked up first: a redelivered report must not create a customer or touch the call. A row
  // without a report's event_id was opened during the call by the tools stage (send_to_human):
  // the report completes it.
  const pqxx::result existing =
      db::Exec(tx,
               "SELECT customer_id, metadata ? 'event_id' FROM conversations "
               "WHERE id = $1 AND business_id = $2 FOR UPDATE",
               conversation_id, event.business_id);
  if (!existing.empty() && existing[0][1].as<bool>()) {
    return {.customer_id = existing[0][0].as<std::string>(),
            .conversation_id = conversation_id,
            .duplicate = true};
  }
  const bool opened_during_call = !existing.empty();

  const std::string& caller = event.caller.empty() ? report.caller : event.caller;
  std::optional<std::string> customer_id;
  if (opened_during_call) {
    customer_id = existing[0][0].as<std::string>();
    customers::FillCustomerDetails(tx, event.business_id, *customer_id, report.caller_name, "");
  } else {
    customer_id = customers::CustomerByPhone(tx, event.business_id, caller, report.caller_name);
  }
  if (!customer_id) {
    // A web call or a withheld number: nobody to recognise, the call still has its customer.
    customer_id = customers::FindOrCreateCustomer(
        tx, event.business_id,
        {.name = report.caller_name, .event_id = event.event_id, .trace_id = event.trace_id});
  }

  const std::int64_t received_ms = ParseInstantMs(event.received_at).value_or(0);
  const std::int64_t ended_ms = report.ended_ms.value_or(
      report.started_ms ? *report.started_ms + report.duration_ms : received_ms);
  const std::int64_t started_ms = report.started_ms.value_or(ended_ms - report.duration_ms);
  // A conversation opened during the call keeps its hand-off flag (needs_human) and metadata.
  const pqxx::result inserted = db::Exec(
      tx,
      opened_during_call
          ? "UPDATE conversations SET status = 'CLOSED', opened_at = $4::timestamptz, "
            "closed_at = $5::timestamptz, metadata = metadata || $6::jsonb "
            "WHERE id = $1 AND business_id = $2 AND customer_id = $3 RETURNING id"
          : "INSERT INTO conversations (id, business_id, customer_id, channel, status, "
            "                           opened_at, closed_at, metadata) "
            "VALUES ($1, $2, $3, 'voice', 'CLOSED', $4::timestamptz, $5::timestamptz, $6::jsonb) "
            "ON CONFLICT (id) DO NOTHING RETURNING id",
      conversation_id, event.business_id, *customer_id, FormatUtcMillis(started_ms),
      FormatUtcMillis(ended_ms), CallMetadata(event, report, caller));
  if (inserted.empty()) {
    // A concurrent delivery of the same report committed first (ON CONFLICT waited for it); this
    // transaction is abandoned, so a customer it created goes with it.
    return {.conversation_id = conversation_id, .duplicate = true};
  }
  if (!report.transcript.empty()) {
    db::Exec(tx,
             "INSERT INTO messages (business_id, conversation_id, role, content, channel, status, "
             "                      event_id, created_at) "
             "SELECT $1, $2, line.role, line.content, 'voice', line.status, line.event_id, "
             "       line.at::timestamptz "
             "FROM jsonb_to_recordset($3::jsonb) "
             "  AS line(role text, content text, status text, event_id text, at text) "
             "ON CONFLICT DO NOTHING",
             event.business_id, conversation_id, TranscriptRows(event, report, started_ms));
  }
  tx.commit();
  return {.customer_id = std::move(*customer_id),
          .conversation_id = conversation_id,
          .lines = report.transcript.size()};
}

}  // namespace switchboard::calls
