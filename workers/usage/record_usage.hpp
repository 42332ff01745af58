#pragma once

#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "workers/usage/usage_store.hpp"

namespace switchboard::usage {

/// The usage.events handler: decodes the event (topics::UsageEvents) and records it once
/// (UsageStore::Record), so a redelivered event counts once.
/// Outcomes: Done; DeadLetter for a malformed record or one the database refuses (business_id
/// not a UUID or not a business, occurred_at unreadable). Database failures throw (the runtime
/// retries).
class UsageRecorder final {
 public:
  /// Records through `store`, which must outlive the recorder.
  explicit UsageRecorder(UsageStore& store) : store_(store) {}

  /// Handles one usage.events record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  UsageStore& store_;
};

}  // namespace switchboard::usage
