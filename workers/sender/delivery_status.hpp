#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "workers/sender/message_status_store.hpp"

namespace switchboard::sender {

/// The status a message in `current` moves to when the platform reports `incoming`, or nullopt
/// when it stays. Statuses only move forward, in the order
///   pending, unknown < sent < delivered < failed < read
/// so a late 'delivered' never undoes 'read', 'failed' overrides everything but 'read' (the
/// customer saw the message, whatever failed later), and a platform status resolves 'unknown'.
/// Statuses other than sent, delivered, read and failed change nothing.
std::optional<std::string> NextMessageStatus(std::string_view current, std::string_view incoming);

/// The delivery.status handler (records decoded by topics::DeliveryStatus): finds our message by
/// (tenant of the channel account, platform_message_id) and moves its status with
/// NextMessageStatus (MessageStatusStore::Apply holds the SQL); 'failed' stores the platform's
/// errors on the message and flags the conversation for a human. Statuses of messages we did not
/// send (e.g. typed in the phone app), of unknown accounts, watermark-only events and system-level
/// 'error' events (logged as a warning) are Done without a change. Database failures throw (the
/// runtime retries the record).
class DeliveryStatusRecorder final {
 public:
  /// Stores through `pool` (the application role); it must outlive the recorder.
  explicit DeliveryStatusRecorder(db::ConnectionPool& pool) : store_(pool) {}

  /// Handles one delivery.status record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  MessageStatusStore store_;
};

}  // namespace switchboard::sender
