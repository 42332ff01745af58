#pragma once

#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/topics/voice_events.hpp"
#include "workers/calls/call_report.hpp"

namespace switchboard::calls {

/// The rows a call was stored as (UUIDs of the tenant `business_id`).
struct StoredCall {
  std::string customer_id;
  std::string conversation_id;
  std::size_t lines = 0;   ///< transcript messages stored (0 for a duplicate)
  bool duplicate = false;  ///< an earlier delivery of the report stored the call
};

/// The id of the voice conversation of Vapi call `call_id` in tenant `business_id`: derived from
/// both (EventIdFor), so every delivery of the call's report, and any stage that needs the call's
/// conversation, names the same row without a lookup table.
std::string CallConversationId(std::string_view business_id, std::string_view call_id);

/// The calls stage's SQL. Store() writes, in one tenant-scoped transaction: the caller's
/// customer (customers::CustomerByPhone: the same customer as the WhatsApp sender with that
/// number; a call without a number gets a new customer), the call as a CLOSED voice conversation
/// (id CallConversationId; opened and closed at the call's start and end; metadata: call_id,
/// phone_number_id, caller, ended_reason, summary, recording_url, started_at, ended_at,
/// duration_seconds, voice_seconds, cost, event_id) and its transcript as messages (role user for
/// the caller, assistant for the assistant; channel voice; at the time each line was said).
/// A call stored before writes nothing and comes back with `duplicate` set. A conversation the
/// tools stage opened during the call (send_to_human) is completed instead: its customer, its
/// hand-off flag (needs_human) and metadata kept, closed at the call's end.
class CallsStore final {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit CallsStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Stores the call of `event` as read into `report` (see the class comment). Throws pqxx errors
  /// (data_exception for a value the database refuses, foreign_key_violation for an unknown
  /// business) and RetryableError.
  StoredCall Store(const topics::VoiceEvent& event, const CallReport& report);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::calls
