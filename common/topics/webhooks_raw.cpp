#include "common/topics/webhooks_raw.hpp"

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/token_cipher.hpp"
#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string WebhooksRaw::EventId(std::string_view body) {
  return EventIdFor({kTopic, body});
}

std::string WebhooksRaw::Key(const RawDelivery& delivery) {
  return delivery.event_id;
}

OutboundRecord WebhooksRaw::Encode(const RawDelivery& delivery) {
  // A body that is not UTF-8 cannot be a JSON string; base64 keeps it exactly.
  const bool utf8 = IsValidUtf8(delivery.body);
  json::Writer writer;
  writer.StartObject()
      .Field("event_id", delivery.event_id)
      .Field("schema", kSchema)
      .Field("source", delivery.source)
      .Field("received_at", delivery.received_at)
      .Field("trace_id", delivery.trace_id)
      .Field("body_encoding", utf8 ? "utf8" : "base64");
  if (utf8) {
    writer.Field("body", delivery.body);
  } else {
    writer.Field("body", Base64Encode(delivery.body));
  }
  writer.EndObject();
  return {.topic = std::string(kTopic),
          .key = Key(delivery),
          .value = writer.Take(),
          .headers = RecordHeaders(delivery.event_id, kSchema, "", delivery.trace_id)};
}

Result<RawDelivery> WebhooksRaw::Decode(const ConsumedRecord& record) {
  ValueReader reader(kTopic, kSchema, record.value);
  RawDelivery delivery;
  delivery.event_id = reader.Required("event_id");
  delivery.source = reader.Required("source");
  delivery.received_at = reader.Required("received_at");
  const std::string encoding = reader.Required("body_encoding");
  delivery.body = reader.Present("body");
  delivery.trace_id = reader.Optional("trace_id");
  if (delivery.trace_id.empty()) {
    delivery.trace_id = std::string(FindHeader(record.headers, "trace-id").value_or(""));
  }
  Result<RawDelivery> result = reader.Finish(std::move(delivery));
  if (!result.ok() || encoding == "utf8") return result;
  const std::string topic(kTopic);
  if (encoding != "base64") {
    return Error{topic + ": body_encoding is neither utf8 nor base64", false};
  }
  Result<std::string> bytes = Base64Decode(result->body);
  if (!bytes.ok()) return Error{topic + ": body is not base64", false};
  RawDelivery decoded = std::move(result).value();
  decoded.body = std::move(bytes).value();
  return decoded;
}

}  // namespace switchboard::topics
