#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <memory>
#include <string>

namespace switchboard::testing {

/// One schema file from schemas/, parsed and compiled.
struct TopicSchema {
  /// Reads schemas/`file` of the source tree; fails the test when it is not JSON.
  explicit TopicSchema(const std::string& file);

  /// Empty when `json` is valid, else where and why it is not.
  std::string Problems(const rapidjson::Value& json) const;
  /// The same for JSON text (not JSON at all is a problem too).
  std::string Problems(const std::string& json) const;

  std::string name;
  rapidjson::Document document;
  std::unique_ptr<rapidjson::SchemaDocument> compiled;
};

/// The schema of records of `topic` (any "<topic>.dlq" follows the dead-letter schema).
const TopicSchema& SchemaForTopic(const std::string& topic);

/// The text of the file at `path` of the source tree; fails the test when it cannot be read.
std::string ReadSourceFile(const std::string& path);

}  // namespace switchboard::testing
