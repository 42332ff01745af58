#pragma once

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "workers/calls/calls_store.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace switchboard {
class KafkaProducer;
}

namespace switchboard::calls {

/// The voice.events handler: decodes the event (topics::VoiceEvents), reads Vapi's end-of-call
/// report (ReadCallReport), stores the call once (CallsStore::Store: the caller's customer, a
/// voice conversation, its transcript), then produces the call's seconds to usage.events
/// (topics::UsageEvents, event id of the call: counted once however often it is produced; also
/// for a report stored before, so a crash between commit and produce loses nothing) and waits
/// for the broker.
/// Outcomes: Done; DeadLetter for a malformed record, a type other than end-of-call-report, a
/// report that is not an object of that type, or data the database refuses (an unknown business
/// included). Each is counted in switchboard_calls_reports_total by outcome. Database and broker
/// failures throw (RetryableError or pqxx's), so the runtime retries the record.
class CallRecorder final {
 public:
  /// Stores through `pool` (the application role) and produces through `producer`, which must
  /// outlive the recorder; adds its metrics to `registry`.
  CallRecorder(db::ConnectionPool& pool, KafkaProducer& producer, prometheus::Registry& registry);

  /// Handles one voice.events record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  /// Counts the outcome and returns a dead letter with `reason`.
  Outcome Refuse(const char* outcome, std::string reason);

  CallsStore store_;
  KafkaProducer& producer_;
  prometheus::Family<prometheus::Counter>& reports_;
  prometheus::Counter& voice_seconds_;
};

}  // namespace switchboard::calls
