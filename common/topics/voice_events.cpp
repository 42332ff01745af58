#include "common/topics/voice_events.hpp"

#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string VoiceEvents::EventId(std::string_view call_id, std::string_view type) {
  std::string id;
  id.reserve(call_id.size() + type.size() + 6);
  id.append("vapi:").append(call_id).append(":").append(type);
  return id;
}

std::string VoiceEvents::Key(const VoiceEvent& event) {
  return event.caller.empty() ? event.call_id : event.caller;
}

OutboundRecord VoiceEvents::Encode(const VoiceEvent& event) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", event.event_id)
      .Field("schema", kSchema)
      .Field("type", event.type)
      .Field("call_id", event.call_id)
      .Field("business_id", event.business_id)
      .Field("caller", event.caller)
      .NonEmptyField("phone_number_id", event.phone_number_id)
      .Field("received_at", event.received_at)
      .Key("report")
      .JsonOrString(event.report_json)
      .Field("trace_id", event.trace_id)
      .EndObject();
  return {.topic = std::string(kTopic),
          .key = Key(event),
          .value = writer.Take(),
          .headers = RecordHeaders(event.event_id, kSchema, event.business_id, event.trace_id)};
}

Result<VoiceEvent> VoiceEvents::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  VoiceEvent event;
  event.event_id = reader.Required("event_id");
  event.type = reader.Required("type");
  event.call_id = reader.Required("call_id");
  event.business_id = reader.Required("business_id");
  event.caller = reader.Present("caller");
  event.received_at = reader.Required("received_at");
  event.report_json = reader.ObjectText("report");
  event.phone_number_id = reader.Optional("phone_number_id");
  event.trace_id = reader.Optional("trace_id");
  if (event.trace_id.empty()) {
    event.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  return reader.Finish(std::move(event));
}

}  // namespace switchboard::topics
