#include "tests/support/topic_schema.hpp"

#include <doctest/doctest.h>
#include <rapidjson/stringbuffer.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace switchboard::testing {

std::string ReadSourceFile(const std::string& path) {
  const std::string full = std::string(SWITCHBOARD_SOURCE_DIR) + "/" + path;
  std::ifstream in(full, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << full);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

TopicSchema::TopicSchema(const std::string& file) : name(file) {
  document.Parse(ReadSourceFile("schemas/" + file).c_str());
  REQUIRE_MESSAGE(!document.HasParseError(), file << " is not JSON");
  compiled = std::make_unique<rapidjson::SchemaDocument>(document);
}

std::string TopicSchema::Problems(const rapidjson::Value& json) const {
  rapidjson::SchemaValidator validator(*compiled);
  if (json.Accept(validator)) return "";
  rapidjson::StringBuffer schema_path;
  rapidjson::StringBuffer document_path;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_path);
  validator.GetInvalidDocumentPointer().StringifyUriFragment(document_path);
  return name + ": keyword '" + validator.GetInvalidSchemaKeyword() + "' at schema " +
         schema_path.GetString() + ", document " + document_path.GetString();
}

std::string TopicSchema::Problems(const std::string& json) const {
  rapidjson::Document parsed;
  parsed.Parse(json.c_str(), json.size());
  if (parsed.HasParseError()) return name + ": value is not JSON: " + json;
  return Problems(parsed);
}

const TopicSchema& SchemaForTopic(const std::string& topic) {
  static const std::map<std::string, TopicSchema> schemas = [] {
    // Every topic's schema in schemas/ ("<topic>.schema.json"), so a new topic needs no entry
    // here; the dead-letter envelope's stands for every "<topic>.dlq".
    std::map<std::string, TopicSchema> by_topic;
    constexpr std::string_view kSuffix = ".schema.json";
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / "schemas")) {
      const std::string file = entry.path().filename().string();
      if (!file.ends_with(kSuffix) || file == "dead-letter.schema.json") continue;
      by_topic.emplace(file.substr(0, file.size() - kSuffix.size()), TopicSchema(file));
    }
    by_topic.emplace("dlq", TopicSchema("dead-letter.schema.json"));
    return by_topic;
  }();
  const bool dead_letter = topic.ends_with(".dlq");
  return schemas.at(dead_letter ? "dlq" : topic);
}

}  // namespace switchboard::testing
