#include "workers/calls/record_call.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <pqxx/pqxx>

#include "common/encoding.hpp"
#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "common/topics/usage_events.hpp"
#include "common/topics/voice_events.hpp"

namespace switchboard::calls {
namespace {

/// The outcomes switchboard_calls_reports_total counts.
constexpr const char* kOutcomes[] = {"stored", "duplicate", "malformed", "unhandled_type",
                                     "refused"};

/// The usage of the call: its seconds, in the month it ended (else when ingest received it).
topics::UsageEvent CallUsage(const topics::VoiceEvent& event, const CallReport& report) {
  return {.event_id = topics::UsageEvents::EventId("call", event.call_id),
          .business_id = event.business_id,
          .kind = "call",
          .occurred_at = report.ended_ms ? FormatUtcMillis(*report.ended_ms) : event.received_at,
          .voice_seconds = report.VoiceSeconds(),
          .trace_id = event.trace_id};
}

}  // namespace

CallRecorder::CallRecorder(db::ConnectionPool& pool, KafkaProducer& producer,
                           prometheus::Registry& registry)
    : store_(pool),
      producer_(producer),
      reports_(prometheus::BuildCounter()
                   .Name("switchboard_calls_reports_total")
                   .Help("End-of-call reports handled, by outcome (stored, duplicate, malformed, "
                         "unhandled_type, refused)")
                   .Register(registry)),
      voice_seconds_(prometheus::BuildCounter()
                         .Name("switchboard_calls_voice_seconds_total")
                         .Help("Seconds of the calls stored (each call once)")
                         .Register(registry)
                         .Add({})) {
  // Every outcome's series exists from the start, so a rate() alert sees the first one.
  for (const char* outcome : kOutcomes) reports_.Add({{"outcome", outcome}});
}

Outcome CallRecorder::Refuse(const char* outcome, std::string reason) {
  reports_.Add({{"outcome", outcome}}).Increment();
  return Outcome::DeadLetter(std::move(reason));
}

Outcome CallRecorder::Handle(const ConsumedRecord& record) {
  const auto parsed = topics::VoiceEvents::Decode(record);
  if (!parsed) {
    Log(LogLevel::kError, "malformed voice event",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(FindHeader(record.headers, "trace-id").value_or(""))}});
    return Refuse("malformed", parsed.error().message);
  }
  const topics::VoiceEvent& event = *parsed;
  if (event.type != topics::VoiceEvents::kEndOfCallReport) {
    Log(LogLevel::kError, "voice event of a type the calls stage does not handle",
        {{"type", event.type}, {"event_id", event.event_id}, {"trace_id", event.trace_id}});
    return Refuse("unhandled_type", "voice.events: unhandled type " + event.type);
  }
  const auto report = ReadCallReport(event.report_json);
  if (!report) {
    Log(LogLevel::kError, "malformed end-of-call report",
        {{"error", report.error().message},
         {"call_id", event.call_id},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
    return Refuse("malformed", "voice.events: " + report.error().message);
  }
  StoredCall stored;
  try {
    stored = store_.Store(event, *report);
  } catch (const pqxx::data_exception& e) {
    // A value the database refuses (a business_id that is not a UUID) fails the same every time.
    Log(LogLevel::kError, "call refused by the database",
        {{"error", e.what()},
         {"call_id", event.call_id},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
    return Refuse("refused", "voice.events: " + std::string(e.what()));
  } catch (const pqxx::foreign_key_violation& e) {
    Log(LogLevel::kError, "call of an unknown business",
        {{"business_id", event.business_id},
         {"call_id", event.call_id},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
    return Refuse("refused", "voice.events: unknown business " + event.business_id);
  }
  if (stored.duplicate) {
    reports_.Add({{"outcome", "duplicate"}}).Increment();
    Log(LogLevel::kInfo, "call stored before, producing its usage again",
        {{"call_id", event.call_id},
         {"conversation_id", stored.conversation_id},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
  } else {
    reports_.Add({{"outcome", "stored"}}).Increment();
    voice_seconds_.Increment(static_cast<double>(report->VoiceSeconds()));
    Log(LogLevel::kInfo, "call stored",
        {{"call_id", event.call_id},
         {"conversation_id", stored.conversation_id},
         {"customer_id", stored.customer_id},
         {"lines", static_cast<std::int64_t>(stored.lines)},
         {"voice_seconds", report->VoiceSeconds()},
         {"ended_reason", report->ended_reason},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
  }
  if (report->VoiceSeconds() > 0) {
    const OutboundRecord usage = topics::UsageEvents::Encode(CallUsage(event, *report));
    if (const auto error = producer_.ProduceAndWait({&usage, 1})) {
      throw RetryableError("producing " + usage.topic + ": " + error->message);
    }
  }
  return Outcome::Done();
}

}  // namespace switchboard::calls
