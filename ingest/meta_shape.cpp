#include "ingest/meta_shape.hpp"

#include <charconv>

#include "common/encoding.hpp"

namespace switchboard::ingest {
namespace {

constexpr std::int64_t kMaxTimestampMs = 253402300799999;  // 9999-12-31T23:59:59.999Z

std::optional<std::int64_t> ParseDigits(std::string_view text) {
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < 0) return std::nullopt;
  return number;
}

}  // namespace

std::string JsonPath::ToString() const {
  std::string text = parent != nullptr ? parent->ToString() : std::string();
  if (name == nullptr) return text;
  if (!text.empty()) text += '.';
  text += name;
  if (index >= 0) text += '[' + std::to_string(index) + ']';
  return text;
}

void ThrowShape(const JsonPath& path, std::string_view what) {
  const std::string where = path.ToString();
  throw ShapeError{(where.empty() ? std::string("body") : where) + ' ' + std::string(what)};
}

std::string_view RequiredString(const json::Value& object, const char* name, const JsonPath& path) {
  const std::optional<std::string_view> value = json::StringView(object, name);
  if (!value || value->empty()) ThrowShape(path, std::string("has no ") + name);
  return *value;
}

const json::Value* ItemsOf(const json::Value& object, const char* name, const JsonPath& path) {
  const json::Value* value = json::Find(object, name);
  if (value == nullptr || value->IsNull()) return nullptr;
  if (!value->IsArray()) ThrowShape(path.Member(name), "is not an array");
  return value;
}

bool HasItems(const json::Value& object, const char* name, const JsonPath& path) {
  const json::Value* items = ItemsOf(object, name, path);
  return items != nullptr && !items->Empty();
}

std::optional<std::int64_t> TimestampMs(const json::Value* value, std::int64_t unit_ms) {
  if (value == nullptr) return std::nullopt;
  std::optional<std::int64_t> number;
  if (value->IsInt64()) number = value->GetInt64();
  if (value->IsString()) number = ParseDigits(json::View(*value));
  if (!number || *number < 0 || *number > kMaxTimestampMs / unit_ms) return std::nullopt;
  return *number * unit_ms;
}

std::string IsoOrEmpty(std::optional<std::int64_t> ms) {
  return ms ? FormatUtcMillis(*ms) : std::string();
}

std::optional<std::string> OptionalString(const json::Value& object, std::string_view name) {
  const std::optional<std::string_view> text = json::StringView(object, name);
  if (!text) return std::nullopt;
  return std::string(*text);
}

std::optional<topics::InboundMedia> MediaOf(const json::Value& media) {
  if (!media.IsObject()) return std::nullopt;
  return topics::InboundMedia{.id = OptionalString(media, "id"),
                              .url = OptionalString(media, "url"),
                              .mime_type = OptionalString(media, "mime_type"),
                              .sha256 = OptionalString(media, "sha256"),
                              .caption = OptionalString(media, "caption"),
                              .filename = OptionalString(media, "filename")};
}

}  // namespace switchboard::ingest
