#include "common/topics/usage_events.hpp"

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string UsageEvents::EventId(std::string_view kind, std::string_view source) {
  return EventIdFor({kTopic, kind, source});
}

std::string UsageEvents::Key(const UsageEvent& event) {
  return event.business_id;
}

OutboundRecord UsageEvents::Encode(const UsageEvent& event) {
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", event.event_id)
      .Field("schema", kSchema)
      .Field("business_id", event.business_id)
      .NonEmptyField("kind", event.kind)
      .Field("occurred_at", event.occurred_at)
      .Field("messages", event.messages)
      .Field("llm_tokens", event.llm_tokens)
      .Field("voice_seconds", event.voice_seconds)
      .Field("trace_id", event.trace_id)
      .EndObject();
  return {.topic = std::string(kTopic),
          .key = Key(event),
          .value = writer.Take(),
          .headers = RecordHeaders(event.event_id, kSchema, event.business_id, event.trace_id)};
}

Result<UsageEvent> UsageEvents::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  UsageEvent event;
  event.event_id = reader.Required("event_id");
  event.business_id = reader.Required("business_id");
  event.occurred_at = reader.Required("occurred_at");
  event.messages = reader.Count("messages");
  event.llm_tokens = reader.Count("llm_tokens");
  event.voice_seconds = reader.Count("voice_seconds");
  event.kind = reader.Optional("kind");
  event.trace_id = reader.Optional("trace_id");
  if (event.trace_id.empty()) {
    event.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  return reader.Finish(std::move(event));
}

}  // namespace switchboard::topics
