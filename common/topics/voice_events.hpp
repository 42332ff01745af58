#pragma once

#include <string>
#include <string_view>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// A voice.events/1 value (schemas/voice.events.schema.json): a Vapi event about a call, with
/// Vapi's message object kept as received (the calls stage reads it, ingest does not).
struct VoiceEvent {
  std::string event_id;  ///< VoiceEvents::EventId(call_id, type)
  std::string type;      ///< Vapi's message.type: "end-of-call-report"
  std::string call_id;   ///< Vapi's call id
  std::string business_id;
  std::string caller;           ///< E.164, or empty when the call has no number
  std::string phone_number_id;  ///< Vapi's phone number id of the business ("" for web calls)
  std::string received_at;      ///< when ingest received it, ISO-8601 UTC with milliseconds
  /// Vapi's `message` object as JSON text, exactly as received (strings repaired to UTF-8).
  std::string report_json;
  std::string trace_id;
};

/// The contract of topic voice.events (ingest → calls).
struct VoiceEvents {
  static constexpr std::string_view kTopic = "voice.events";
  static constexpr std::string_view kSchema = "voice.events/1";
  /// The one type produced today.
  static constexpr std::string_view kEndOfCallReport = "end-of-call-report";

  /// The event id of Vapi's message `type` about call `call_id`: "vapi:<call_id>:<type>", the
  /// same for every delivery of it, so it is stored and counted once.
  static std::string EventId(std::string_view call_id, std::string_view type);
  /// The key: the caller's number, so one caller's calls stay in order; the call id when the
  /// number is unknown.
  static std::string Key(const VoiceEvent& event);
  /// The record: key, JSON value (report_json written as the object it holds), headers event-id,
  /// schema, tenant and trace-id. A report_json that is not an object's text makes a value
  /// Decode refuses.
  static OutboundRecord Encode(const VoiceEvent& event);
  /// The event in `record`; a non-retryable Error naming the member when the value is not a
  /// voice.events/1 object, event_id, type, call_id, business_id or received_at is missing or
  /// empty, caller is missing, or report is not an object. trace_id falls back to the trace-id
  /// header.
  static Result<VoiceEvent> Decode(const ConsumedRecord& record);
};

}  // namespace switchboard::topics
