#include <doctest/doctest.h>

#include "common/dead_letter.hpp"

using namespace switchboard;

namespace {

/// `outbound` as a consumer would receive it from `topic` at `offset`.
ConsumedRecord Consumed(const OutboundRecord& outbound, std::int64_t offset) {
  return {.topic = outbound.topic,
          .partition = 0,
          .offset = offset,
          .key = outbound.key,
          .value = outbound.value,
          .headers = outbound.headers,
          .timestamp_ms = 1714555980000};
}

DeadLetterInfo Failure(std::int32_t attempts) {
  return {.stage = "resolver",
          .error = "bad",
          .attempts = attempts,
          .first_failure_ms = 1714555980000,
          .last_failure_ms = 1714555981000};
}

}  // namespace

TEST_CASE("re-drive: the original record goes back as it was, and failing again counts on") {
  const ConsumedRecord original{.topic = "messages.inbound",
                                .partition = 2,
                                .offset = 7,
                                .key = "whatsapp:1:2",
                                .value = "{\"broken\":",
                                .headers = {{"event-id", "e1"}, {"tenant", "t1"}},
                                .timestamp_ms = 1714555970000};
  const auto letter = DecodeDeadLetter(Consumed(DeadLetterFor(original, Failure(1)), 0));
  REQUIRE(letter.ok());
  CHECK(letter->attempts == 1);

  const OutboundRecord redriven = RedriveRecord(*letter);
  CHECK(redriven.topic == "messages.inbound");
  CHECK(redriven.key == original.key);
  CHECK(redriven.value == original.value);
  CHECK(FindHeader(redriven.headers, "event-id") == "e1");
  CHECK(FindHeader(redriven.headers, "tenant") == "t1");
  CHECK(FindHeader(redriven.headers, "dead-letter-attempts") == "1");

  // It fails again (one attempt of the stage): its dead letter says 2, under a new id.
  const auto again =
      DecodeDeadLetter(Consumed(DeadLetterFor(Consumed(redriven, 41), Failure(1)), 1));
  REQUIRE(again.ok());
  CHECK(again->attempts == 2);
  CHECK(again->event_id != letter->event_id);

  // Re-driven once more: the header is replaced, not repeated; the next failure says 3.
  const OutboundRecord twice = RedriveRecord(*again);
  CHECK(FindHeader(twice.headers, "dead-letter-attempts") == "2");
  int count = 0;
  for (const Header& header : twice.headers) count += header.name == "dead-letter-attempts";
  CHECK(count == 1);
  const auto third = DecodeDeadLetter(Consumed(DeadLetterFor(Consumed(twice, 42), Failure(1)), 2));
  REQUIRE(third.ok());
  CHECK(third->attempts == 3);
}

TEST_CASE("re-drive: a dead-letter-attempts header that is not a count adds nothing") {
  for (const char* bad : {"", "x", "-3", "99999999999"}) {
    const ConsumedRecord record{.topic = "messages.inbound",
                                .key = "k",
                                .value = "v",
                                .headers = {{"dead-letter-attempts", bad}}};
    const auto letter = DecodeDeadLetter(Consumed(DeadLetterFor(record, Failure(2)), 0));
    REQUIRE(letter.ok());
    CHECK(letter->attempts == 2);
  }
}
