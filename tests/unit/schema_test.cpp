#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "common/dead_letter.hpp"
#include "common/kafka_record.hpp"
#include "ingest/meta_webhook.hpp"
#include "tests/support/topic_schema.hpp"

namespace {

using switchboard::OutboundRecord;
namespace ingest = switchboard::ingest;

const std::filesystem::path kSourceDir = SWITCHBOARD_SOURCE_DIR;

using switchboard::testing::ReadSourceFile;
using switchboard::testing::SchemaForTopic;
using switchboard::testing::TopicSchema;

const char* const kSchemaFiles[] = {"webhooks.raw.schema.json",     "messages.inbound.schema.json",
                                    "delivery.status.schema.json",  "messages.resolved.schema.json",
                                    "replies.outbound.schema.json", "usage.events.schema.json",
                                    "dead-letter.schema.json",      "tools.requests.schema.json",
                                    "tools.results.schema.json",    "voice.events.schema.json"};

void CheckValid(const OutboundRecord& record) {
  const std::string problems = SchemaForTopic(record.topic).Problems(record.value);
  CHECK_MESSAGE(problems.empty(), problems << "\n  value: " << record.value);
}

std::vector<std::filesystem::path> Fixtures() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(kSourceDir / "tests/fixtures/meta")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("every record made from the Meta fixtures validates against its topic's schema") {
  const ingest::DeliveryContext context{"trace-schema", 1714556400123};
  std::size_t checked = 0;
  for (const auto& fixture : Fixtures()) {
    CAPTURE(fixture.filename().string());
    const std::string body = ReadSourceFile("tests/fixtures/meta/" + fixture.filename().string());
    const OutboundRecord raw = ingest::RawDeliveryRecord(body, context);
    CheckValid(raw);
    CheckValid(switchboard::DeadLetterRecord(raw, "ingest", "test failure", 1714556400200));
    auto records = ingest::SplitMetaDelivery(body, context);
    REQUIRE(records.ok());
    for (const OutboundRecord& record : *records) {
      CheckValid(record);
      CheckValid(switchboard::DeadLetterRecord(record, "ingest", "test failure", 1714556400200));
      ++checked;
    }
  }
  CHECK(checked >= 35);

  SUBCASE("non-UTF-8 bodies and values use base64 and still validate") {
    CheckValid(ingest::RawDeliveryRecord(std::string("\xff\x00", 2), context));
    const switchboard::ConsumedRecord consumed{.topic = "replies.outbound",
                                               .partition = 0,
                                               .offset = 7,
                                               .key = "\xfe",
                                               .value = "\xff",
                                               .headers = {{"h", "\xff"}},
                                               .timestamp_ms = 1};
    CheckValid(switchboard::DeadLetterFor(consumed, {.stage = "sender", .error = "e"}));
  }
}

TEST_CASE("each schema's own examples validate, and it declares its Kafka topic") {
  for (const char* file : kSchemaFiles) {
    CAPTURE(file);
    const TopicSchema schema(file);
    const rapidjson::Value& root = schema.document;
    CHECK(root.HasMember("title"));
    CHECK(root.HasMember("description"));
    CHECK(root.HasMember("required"));
    REQUIRE(root.HasMember("examples"));
    REQUIRE(root["examples"].IsArray());
    REQUIRE(root["examples"].Size() >= 1);
    for (const rapidjson::Value& example : root["examples"].GetArray()) {
      const std::string problems = schema.Problems(example);
      CHECK_MESSAGE(problems.empty(), problems);
    }
    REQUIRE(root.HasMember("x-kafka"));
    const rapidjson::Value& kafka = root["x-kafka"];
    REQUIRE(kafka.IsObject());
    REQUIRE(kafka.HasMember("topic"));
    CHECK(kafka["topic"].IsString());
    REQUIRE(kafka.HasMember("partitions"));
    CHECK(kafka["partitions"].IsInt());
    CHECK(kafka["partitions"].GetInt() >= 1);
    REQUIRE(kafka.HasMember("retention_ms"));
    CHECK(kafka["retention_ms"].IsInt64());
    CHECK(kafka["retention_ms"].GetInt64() > 0);
    CHECK(kafka.HasMember("key"));
    CHECK(kafka.HasMember("headers"));
  }
  CHECK(std::string(
            TopicSchema("dead-letter.schema.json").document["x-kafka"]["topic"].GetString()) ==
        "<topic>.dlq");
}

TEST_CASE("a schema rejects what breaks its contract") {
  const TopicSchema inbound("messages.inbound.schema.json");
  CHECK_FALSE(inbound.Problems(std::string(R"({"schema":"messages.inbound/1"})")).empty());
  rapidjson::Document example;
  example.CopyFrom(inbound.document["examples"][0], example.GetAllocator());
  example["channel"].SetString("telegram");
  CHECK_FALSE(inbound.Problems(example).empty());
  example.CopyFrom(inbound.document["examples"][0], example.GetAllocator());
  example["event_id"].SetString("not-a-uuid");
  CHECK_FALSE(inbound.Problems(example).empty());
}
