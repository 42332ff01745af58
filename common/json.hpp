#pragma once

// The one place that reads JSON members and writes JSON text. Every producer of a topic value,
// an HTTP body or a stored JSON column writes through json::Writer, which always emits valid
// UTF-8: RapidJSON decodes a lone surrogate escape ("\udc00") into bytes that are not UTF-8,
// and PostgreSQL refuses such text (SQLSTATE 22021), so repair happens here, once.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace switchboard::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;
using Type = rapidjson::Type;

/// What Parse does with bytes in strings that are not UTF-8.
enum class InvalidUtf8 {
  kReject,  ///< a parse error (the body we sign or store must be exactly what was sent)
  kKeep,    ///< kept; String() and Writer repair them (text from a peer we must answer anyway)
};

/// Parses `text` iteratively, so deep nesting cannot exhaust the stack. An Error (not
/// retryable) names the reason and offset.
Result<Document> Parse(std::string_view text, InvalidUtf8 invalid = InvalidUtf8::kReject);

/// The member `name` of `object`; nullptr when `object` is not an object or has no such member.
const Value* Find(const Value& object, std::string_view name);

/// The member as a string view, unrepaired (it may hold a decoded lone surrogate): for text that
/// is only copied into other JSON through Writer, which repairs it. nullopt when absent or not a
/// string.
std::optional<std::string_view> StringView(const Value& object, std::string_view name);

/// The member as a string, always valid UTF-8 (see ToValidUtf8); nullopt when absent or not a
/// string.
std::optional<std::string> String(const Value& object, std::string_view name);

/// The member as a string when present and non-empty, else an empty string.
std::string StringOr(const Value& object, std::string_view name, std::string fallback = {});

/// The member as a whole number (JSON integer); nullopt when absent or not one.
std::optional<std::int64_t> Int(const Value& object, std::string_view name);

/// The member as a number (integer or not); nullopt when absent or not a number.
std::optional<double> Number(const Value& object, std::string_view name);

/// The member as a boolean; nullopt when absent or not true/false.
std::optional<bool> Bool(const Value& object, std::string_view name);

/// A string value as a view (unrepaired, see StringView); `value` must be a string.
std::string_view View(const Value& value);

/// `value` serialized compactly, strings repaired to valid UTF-8, non-finite numbers as null.
std::string Serialize(const Value& value);

/// Writes compact JSON into a string. Strings and keys are always emitted as valid UTF-8
/// (invalid bytes and decoded lone surrogates become U+FFFD), and a non-finite number as null:
/// JSON has no infinity, and RapidJSON reads a number such as 1714556112E300 as one. Calls chain.
class Writer final {
 public:
  Writer();

  Writer& StartObject();
  Writer& EndObject();
  Writer& StartArray();
  Writer& EndArray();
  Writer& Key(std::string_view key);
  Writer& String(std::string_view text);
  Writer& Int(std::int64_t number);
  Writer& Double(double number);
  Writer& Bool(bool value);
  Writer& Null();
  /// Copies a parsed value through, repairing its strings; anything nested deeper than
  /// `max_depth` becomes null.
  Writer& Copy(const Value& value, int max_depth = 64);
  /// Writes `json` (JSON text) as a value when it parses, else as a JSON string: for text a
  /// model or a platform wrote, which may be broken.
  Writer& JsonOrString(std::string_view json);

  /// Key and value in one call.
  Writer& Field(std::string_view key, std::string_view text);
  Writer& Field(std::string_view key, const char* text) {
    return Field(key, std::string_view(text));
  }
  Writer& Field(std::string_view key, const std::string& text) {
    return Field(key, std::string_view(text));
  }
  Writer& Field(std::string_view key, std::int64_t number);
  Writer& Field(std::string_view key, int number) {
    return Field(key, static_cast<std::int64_t>(number));
  }
  Writer& Field(std::string_view key, bool value);
  Writer& Field(std::string_view key, double number);
  /// Writes the member only when `text` has a value.
  Writer& Field(std::string_view key, const std::optional<std::string_view>& text);
  Writer& Field(std::string_view key, const std::optional<std::string>& text);
  Writer& Field(std::string_view key, const std::optional<std::int64_t>& number);
  /// Writes the member only when `text` is not empty.
  Writer& NonEmptyField(std::string_view key, std::string_view text);

  /// The JSON text written so far (complete once every object and array is closed).
  std::string Take();

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace switchboard::json
