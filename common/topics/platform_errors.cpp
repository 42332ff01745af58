#include "common/topics/platform_errors.hpp"

namespace switchboard::topics {
namespace {

void WriteArray(json::Writer& writer, const std::vector<PlatformError>& errors) {
  writer.StartArray();
  for (const PlatformError& error : errors) {
    writer.StartObject()
        .Field("code", error.code)
        .Field("title", error.title)
        .Field("message", error.message)
        .Field("details", error.details)
        .Field("href", error.href)
        .EndObject();
  }
  writer.EndArray();
}

}  // namespace

void WriteErrors(json::Writer& writer, const std::vector<PlatformError>& errors) {
  if (errors.empty()) return;
  writer.Key("errors");
  WriteArray(writer, errors);
}

std::vector<PlatformError> ReadErrors(const json::Value& value) {
  std::vector<PlatformError> errors;
  const json::Value* items = json::Find(value, "errors");
  if (items == nullptr || !items->IsArray()) return errors;
  errors.reserve(items->Size());
  for (const json::Value& item : items->GetArray()) {
    errors.push_back({.code = json::Int(item, "code"),
                      .title = json::String(item, "title"),
                      .message = json::String(item, "message"),
                      .details = json::String(item, "details"),
                      .href = json::String(item, "href")});
  }
  return errors;
}

std::string ErrorsJson(const std::vector<PlatformError>& errors) {
  json::Writer writer;
  WriteArray(writer, errors);
  return writer.Take();
}

}  // namespace switchboard::topics
