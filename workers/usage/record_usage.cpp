#include "workers/usage/record_usage.hpp"

#include <pqxx/pqxx>

#include "common/log.hpp"

namespace switchboard::usage {

Outcome UsageRecorder::Handle(const ConsumedRecord& record) {
  const auto parsed = topics::UsageEvents::Decode(record);
  if (!parsed) {
    Log(LogLevel::kError, "malformed usage event",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(FindHeader(record.headers, "trace-id").value_or(""))}});
    return Outcome::DeadLetter(parsed.error().message);
  }
  const topics::UsageEvent& event = *parsed;
  try {
    if (!store_.Record(event)) {
      Log(LogLevel::kDebug, "usage event counted before",
          {{"event_id", event.event_id}, {"trace_id", event.trace_id}});
    }
  } catch (const pqxx::data_exception& e) {
    // Not a UUID, an unreadable timestamp: the same every time.
    Log(LogLevel::kError, "usage event refused by the database",
        {{"error", e.what()}, {"event_id", event.event_id}, {"trace_id", event.trace_id}});
    return Outcome::DeadLetter(std::string(topics::UsageEvents::kTopic) + ": " + e.what());
  } catch (const pqxx::foreign_key_violation& e) {
    Log(LogLevel::kError, "usage event of an unknown business",
        {{"business_id", event.business_id},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
    return Outcome::DeadLetter(std::string(topics::UsageEvents::kTopic) + ": unknown business " +
                               event.business_id);
  }
  return Outcome::Done();
}

}  // namespace switchboard::usage
