#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/dead_letter.hpp"
#include "common/kafka_record.hpp"
#include "ingest/meta_webhook.hpp"

namespace {

using switchboard::OutboundRecord;
namespace ingest = switchboard::ingest;

const std::filesystem::path kSourceDir = SWITCHBOARD_SOURCE_DIR;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

/// One schema file from schemas/, parsed and compiled.
struct TopicSchema {
  explicit TopicSchema(const std::string& file) : name(file) {
    document.Parse(ReadFile(kSourceDir / "schemas" / file).c_str());
    REQUIRE_MESSAGE(!document.HasParseError(), file << " is not JSON");
    compiled = std::make_unique<rapidjson::SchemaDocument>(document);
  }

  /// Empty when `json` is valid, else where and why it is not.
  std::string Problems(const rapidjson::Value& json) const {
    rapidjson::SchemaValidator validator(*compiled);
    if (json.Accept(validator)) return "";
    rapidjson::StringBuffer schema_path;
    rapidjson::StringBuffer document_path;
    validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_path);
    validator.GetInvalidDocumentPointer().StringifyUriFragment(document_path);
    return name + ": keyword '" + validator.GetInvalidSchemaKeyword() + "' at schema " +
           schema_path.GetString() + ", document " + document_path.GetString();
  }

  std::string Problems(const std::string& json) const {
    rapidjson::Document parsed;
    parsed.Parse(json.c_str(), json.size());
    if (parsed.HasParseError()) return name + ": value is not JSON: " + json;
    return Problems(parsed);
  }

  std::string name;
  rapidjson::Document document;
  std::unique_ptr<rapidjson::SchemaDocument> compiled;
};

const char* const kSchemaFiles[] = {"webhooks.raw.schema.json", "messages.inbound.schema.json",
                                    "delivery.status.schema.json", "dead-letter.schema.json"};

/// The schema a record's topic follows.
const TopicSchema& SchemaFor(const std::string& topic) {
  static const std::map<std::string, TopicSchema> schemas = [] {
    std::map<std::string, TopicSchema> by_topic;
    by_topic.emplace("webhooks.raw", TopicSchema("webhooks.raw.schema.json"));
    by_topic.emplace("messages.inbound", TopicSchema("messages.inbound.schema.json"));
    by_topic.emplace("delivery.status", TopicSchema("delivery.status.schema.json"));
    by_topic.emplace("dlq", TopicSchema("dead-letter.schema.json"));
    return by_topic;
  }();
  const bool dead_letter = topic.ends_with(".dlq");
  return schemas.at(dead_letter ? "dlq" : topic);
}

void CheckValid(const OutboundRecord& record) {
  const std::string problems = SchemaFor(record.topic).Problems(record.value);
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
    const std::string body = ReadFile(fixture);
    const OutboundRecord raw = ingest::RawDeliveryRecord(body, context);
    CheckValid(raw);
    CheckValid(ingest::DeadLetterRecord(raw, "ingest", "test failure", 1714556400200));
    auto records = ingest::SplitMetaDelivery(body, context);
    REQUIRE(records.ok());
    for (const OutboundRecord& record : *records) {
      CheckValid(record);
      CheckValid(ingest::DeadLetterRecord(record, "ingest", "test failure", 1714556400200));
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
