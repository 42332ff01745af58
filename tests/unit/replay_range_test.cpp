#include <doctest/doctest.h>

#include "common/json.hpp"
#include "workers/admin/replay_range.hpp"

using namespace switchboard;
using namespace switchboard::admin;

namespace {
const TopicPartition kPartition{"messages.inbound", 2};
}

TEST_CASE("replay range: from the start offset to the end taken at start") {
  const ReplayRange range = RangeFor(kPartition, {.low = 0, .high = 100}, 40, std::nullopt);
  CHECK(range.from == 40);
  CHECK(range.to == 100);
  CHECK(range.Records() == 60);
  CHECK_FALSE(range.DoneAt(99));
  CHECK(range.DoneAt(100));
}

TEST_CASE("replay range: clamped to what the partition holds") {
  // Retention deleted the first records: start at the first one kept.
  CHECK(RangeFor(kPartition, {.low = 30, .high = 100}, 10, 50).from == 30);
  // An end beyond what exists now stops at the end taken at start.
  CHECK(RangeFor(kPartition, {.low = 0, .high = 100}, 10, 500).to == 100);
  // --to-offset is exclusive.
  CHECK(RangeFor(kPartition, {.low = 0, .high = 100}, 10, 20).Records() == 10);
  // A start at or past the end, or past the requested end, is an empty range.
  CHECK(RangeFor(kPartition, {.low = 0, .high = 100}, 100, std::nullopt).Records() == 0);
  CHECK(RangeFor(kPartition, {.low = 0, .high = 100}, 150, std::nullopt).Records() == 0);
  CHECK(RangeFor(kPartition, {.low = 0, .high = 100}, 60, 50).Records() == 0);
  CHECK(RangeFor(kPartition, {.low = 0, .high = 0}, 0, std::nullopt).Records() == 0);
}

TEST_CASE("replay JSON line: every field, a JSON value stays JSON, other text is a string") {
  ConsumedRecord record{.topic = "messages.inbound",
                        .partition = 2,
                        .offset = 41,
                        .key = "whatsapp:1:2",
                        .value = R"({"event_id":"e1","n":3})",
                        .headers = {{"event-id", "e1"}, {"tenant", "t1"}},
                        .timestamp_ms = 1714555980123};
  auto line = json::Parse(ReplayJsonLine(record));
  REQUIRE(line.ok());
  CHECK(std::string((*line)["topic"].GetString()) == "messages.inbound");
  CHECK((*line)["partition"].GetInt() == 2);
  CHECK((*line)["offset"].GetInt64() == 41);
  CHECK(std::string((*line)["timestamp"].GetString()) == "2024-05-01T09:33:00.123Z");
  CHECK(std::string((*line)["key"].GetString()) == "whatsapp:1:2");
  CHECK(std::string((*line)["headers"][1]["name"].GetString()) == "tenant");
  CHECK(std::string((*line)["headers"][1]["value"].GetString()) == "t1");
  CHECK((*line)["value"]["n"].GetInt() == 3);
  record.value = "not json {";
  line = json::Parse(ReplayJsonLine(record));
  REQUIRE(line.ok());
  CHECK(std::string((*line)["value"].GetString()) == "not json {");
}

TEST_CASE("replayed record: key, value and headers kept, replayed-from added") {
  const ConsumedRecord record{.topic = "messages.inbound",
                              .partition = 2,
                              .offset = 41,
                              .key = "k",
                              .value = "v",
                              .headers = {{"event-id", "e1"}}};
  const OutboundRecord out = ReplayedRecord(record, "analysis.copy");
  CHECK(out.topic == "analysis.copy");
  CHECK(out.key == "k");
  CHECK(out.value == "v");
  REQUIRE(out.headers.size() == 2);
  CHECK(FindHeader(out.headers, "event-id") == "e1");
  CHECK(FindHeader(out.headers, "replayed-from") == "messages.inbound/2/41");
}

TEST_CASE("progress line: bar, counts, rate and ETA") {
  const std::string line = ProgressLine(500, 1000, 2.0);
  CHECK(line.find("[###############               ]") == 0);
  CHECK(line.find("500/1000 records") != std::string::npos);
  CHECK(line.find("250/s") != std::string::npos);
  CHECK(line.find("ETA 2s") != std::string::npos);
  CHECK(ProgressLine(0, 1000, 0.0).find("ETA -") != std::string::npos);
}
