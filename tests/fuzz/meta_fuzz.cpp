// libFuzzer target for the socket-free core of the Meta webhook ingest. The input is a webhook
// body (seed corpus: tests/fixtures/meta). Besides "no crash, no UB, no leak", it checks what
// the HTTP route relies on: a correct signature verifies and a tampered one does not; every
// record produced is JSON whose event_id matches its header; webhooks.raw keeps the body exactly.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/kafka_record.hpp"
#include "ingest/meta_signature.hpp"
#include "ingest/meta_webhook.hpp"

namespace {

using switchboard::OutboundRecord;
namespace ingest = switchboard::ingest;

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

  auto split = ingest::SplitMetaDelivery(body, context);
  if (!split.ok()) {
    Check(!split.error().message.empty(), "an error says why");
    CheckRecord(ingest::DeadLetterRecord(raw, "ingest", split.error().message, 1));
    return;
  }
  for (const OutboundRecord& record : *split) {
    Check(record.topic == ingest::kInboundTopic || record.topic == ingest::kStatusTopic,
          "records go to messages.inbound or delivery.status");
    Check(!record.key.empty(), "records have a key");
    CheckRecord(record);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  FuzzSignature(body);
  FuzzSplit(body, ingest::DeliveryContext{"trace-fuzz", 1714556400123});
  return 0;
}
