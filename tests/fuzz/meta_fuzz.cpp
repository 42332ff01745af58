// libFuzzer target for the socket-free core of the Meta webhook ingest. The input is a webhook
// body (seed corpus: tests/fixtures/meta). Besides "no crash, no UB, no leak", it checks what
// the HTTP route relies on: a correct signature verifies and a tampered one does not; every
// record produced is JSON whose event_id matches its header and decodes with its topic's contract
// unit; webhooks.raw keeps the body exactly.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/dead_letter.hpp"
#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/kafka_record.hpp"
#include "common/topics/delivery_status.hpp"
#include "common/topics/messages_inbound.hpp"
#include "common/topics/webhooks_raw.hpp"
#include "ingest/meta_signature.hpp"
#include "ingest/meta_webhook.hpp"

namespace {

using switchboard::ConsumedRecord;
using switchboard::OutboundRecord;
namespace ingest = switchboard::ingest;
namespace topics = switchboard::topics;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

/// The record's value parsed, with the event-id header checked against it.
rapidjson::Document CheckRecord(const OutboundRecord& record) {
  rapidjson::Document value;
  value.Parse(record.value.data(), record.value.size());
  Check(!value.HasParseError() && value.IsObject(), "record value is a JSON object");
  Check(switchboard::IsValidUtf8(record.value), "record value is UTF-8");
  const auto event_id = switchboard::FindHeader(record.headers, "event-id");
  Check(event_id.has_value(), "record has an event-id header");
  Check(value.HasMember("event_id") && value["event_id"].IsString() &&
            *event_id == value["event_id"].GetString(),
        "event-id header matches the value");
  Check(switchboard::FindHeader(record.headers, "schema").has_value(), "record has a schema");
  Check(switchboard::FindHeader(record.headers, "trace-id").has_value(), "record has a trace-id");
  return value;
}

/// The record as a consumer receives it.
ConsumedRecord Consumed(const OutboundRecord& record) {
  return {
      .topic = record.topic, .key = record.key, .value = record.value, .headers = record.headers};
}

void FuzzSignature(std::string_view body) {
  const std::vector<std::string> secrets{"old-secret", "new-secret"};
  const std::string good =
      "sha256=" + switchboard::HexEncode(switchboard::HmacSha256("new-secret", body));
  Check(ingest::VerifyMetaSignature(good, body, secrets), "a correct signature verifies");
  std::string tampered = good;
  const std::size_t at = 7 + body.size() % 64;
  tampered[at] = tampered[at] == '0' ? '1' : '0';
  Check(!ingest::VerifyMetaSignature(tampered, body, secrets), "a tampered signature fails");
  // The body's first line as a header: exercises prefix and hex parsing with arbitrary bytes.
  const std::string_view header = body.substr(0, body.find('\n'));
  (void)ingest::VerifyMetaSignature(header, body, secrets);
}

void FuzzSplit(std::string_view body, const ingest::DeliveryContext& context) {
  const OutboundRecord raw = ingest::RawDeliveryRecord(body, context);
  const rapidjson::Document envelope = CheckRecord(raw);
  Check(raw.key == envelope["event_id"].GetString(), "webhooks.raw is keyed by its event id");
  if (switchboard::IsValidUtf8(body)) {
    const rapidjson::Value& kept = envelope["body"];
    Check(std::string_view(kept.GetString(), kept.GetStringLength()) == body,
          "webhooks.raw keeps the body exactly");
  }
  const auto decoded_raw = topics::WebhooksRaw::Decode(Consumed(raw));
  Check(decoded_raw.ok() && decoded_raw->body == body, "webhooks.raw decodes to the body");

  auto split = ingest::SplitMetaDelivery(body, context);
  if (!split.ok()) {
    Check(!split.error().message.empty(), "an error says why");
    const OutboundRecord letter =
        switchboard::DeadLetterRecord(raw, "ingest", split.error().message, 1);
    CheckRecord(letter);
    const auto decoded = switchboard::DecodeDeadLetter(Consumed(letter));
    Check(decoded.ok() && decoded->value == raw.value && decoded->key == raw.key,
          "a dead letter decodes to the record it keeps");
    return;
  }
  for (const OutboundRecord& record : *split) {
    Check(record.topic == topics::MessagesInbound::kTopic ||
              record.topic == topics::DeliveryStatus::kTopic,
          "records go to messages.inbound or delivery.status");
    Check(!record.key.empty(), "records have a key");
    CheckRecord(record);
    const bool decodes = record.topic == topics::MessagesInbound::kTopic
                             ? topics::MessagesInbound::Decode(Consumed(record)).ok()
                             : topics::DeliveryStatus::Decode(Consumed(record)).ok();
    Check(decodes, "every record decodes with its topic's contract unit");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  FuzzSignature(body);
  FuzzSplit(body, ingest::DeliveryContext{"trace-fuzz", 1714556400123});
  return 0;
}
