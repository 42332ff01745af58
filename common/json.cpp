#include "common/json.hpp"

#include <rapidjson/error/en.h>
#include <cmath>

#include "common/encoding.hpp"

namespace switchboard::json {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseDefaultFlags | rapidjson::kParseIterativeFlag;

rapidjson::SizeType Length(std::string_view text) {
  return static_cast<rapidjson::SizeType>(text.size());
}

}  // namespace

Result<Document> Parse(std::string_view text, InvalidUtf8 invalid) {
  Document document;
  if (invalid == InvalidUtf8::kReject) {
    document.Parse<kParseFlags | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  } else {
    document.Parse<kParseFlags>(text.data(), text.size());
  }
  if (document.HasParseError()) {
    std::string reason = rapidjson::GetParseError_En(document.GetParseError());
    if (reason.ends_with('.')) reason.pop_back();
    return Error{"not JSON: " + reason + " at offset " + std::to_string(document.GetErrorOffset())};
  }
  return document;
}

const Value* Find(const Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const Value key(rapidjson::StringRef(name.data(), Length(name)));
  const auto member = object.FindMember(key);
  return member == object.MemberEnd() ? nullptr : &member->value;
}

std::string_view View(const Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

std::optional<std::string_view> StringView(const Value& object, std::string_view name) {
  const Value* value = Find(object, name);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return View(*value);
}

std::optional<std::string> String(const Value& object, std::string_view name) {
  const std::optional<std::string_view> text = StringView(object, name);
  if (!text) return std::nullopt;
  return IsValidUtf8(*text) ? std::string(*text) : ToValidUtf8(*text);
}

std::string StringOr(const Value& object, std::string_view name, std::string fallback) {
  std::optional<std::string> text = String(object, name);
  return text && !text->empty() ? std::move(*text) : std::move(fallback);
}

std::optional<std::int64_t> Int(const Value& object, std::string_view name) {
  const Value* value = Find(object, name);
  if (value == nullptr || !value->IsInt64()) return std::nullopt;
  return value->GetInt64();
}

std::optional<double> Number(const Value& object, std::string_view name) {
  const Value* value = Find(object, name);
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  return value->GetDouble();
}

std::optional<bool> Bool(const Value& object, std::string_view name) {
  const Value* value = Find(object, name);
  if (value == nullptr || !value->IsBool()) return std::nullopt;
  return value->GetBool();
}

std::string Serialize(const Value& value) {
  return Writer().Copy(value).Take();
}

Writer::Writer() : writer_(buffer_) {}

Writer& Writer::StartObject() {
  writer_.StartObject();
  return *this;
}

Writer& Writer::EndObject() {
  writer_.EndObject();
  return *this;
}

Writer& Writer::StartArray() {
  writer_.StartArray();
  return *this;
}

Writer& Writer::EndArray() {
  writer_.EndArray();
  return *this;
}

Writer& Writer::Key(std::string_view key) {
  if (IsValidUtf8(key)) {
    writer_.Key(key.data(), Length(key));
  } else {
    const std::string repaired = ToValidUtf8(key);
    writer_.Key(repaired.data(), Length(repaired));
  }
  return *this;
}

Writer& Writer::String(std::string_view text) {
  if (IsValidUtf8(text)) {
    writer_.String(text.data(), Length(text));
  } else {
    const std::string repaired = ToValidUtf8(text);
    writer_.String(repaired.data(), Length(repaired));
  }
  return *this;
}

Writer& Writer::Int(std::int64_t number) {
  writer_.Int64(number);
  return *this;
}

Writer& Writer::Double(double number) {
  // RapidJSON's writer refuses infinity and NaN and leaves the member without a value.
  if (std::isfinite(number)) {
    writer_.Double(number);
  } else {
    writer_.Null();
  }
  return *this;
}

Writer& Writer::Bool(bool value) {
  writer_.Bool(value);
  return *this;
}

Writer& Writer::Null() {
  writer_.Null();
  return *this;
}

Writer& Writer::Copy(const Value& value, int max_depth) {
  if (value.IsString()) return String(View(value));
  if (value.IsBool()) return Bool(value.GetBool());
  if (value.IsInt64()) return Int(value.GetInt64());
  if (value.IsUint64()) {
    writer_.Uint64(value.GetUint64());
    return *this;
  }
  if (value.IsNumber()) return Double(value.GetDouble());
  if (value.IsArray() && max_depth > 0) {
    StartArray();
    for (const Value& item : value.GetArray()) Copy(item, max_depth - 1);
    return EndArray();
  }
  if (value.IsObject() && max_depth > 0) {
    StartObject();
    for (const auto& member : value.GetObject()) {
      Key(View(member.name));
      Copy(member.value, max_depth - 1);
    }
    return EndObject();
  }
  return Null();
}

Writer& Writer::JsonOrString(std::string_view json) {
  const Result<rapidjson::Document> document = Parse(json);
  return document.ok() ? Copy(*document) : String(json);
}

Writer& Writer::Field(std::string_view key, std::string_view text) {
  return Key(key).String(text);
}

Writer& Writer::Field(std::string_view key, std::int64_t number) {
  return Key(key).Int(number);
}

Writer& Writer::Field(std::string_view key, bool value) {
  return Key(key).Bool(value);
}

Writer& Writer::Field(std::string_view key, double number) {
  return Key(key).Double(number);
}

Writer& Writer::Field(std::string_view key, const std::optional<std::string_view>& text) {
  return text ? Field(key, *text) : *this;
}

Writer& Writer::Field(std::string_view key, const std::optional<std::string>& text) {
  return text ? Field(key, std::string_view(*text)) : *this;
}

Writer& Writer::Field(std::string_view key, const std::optional<std::int64_t>& number) {
  return number ? Field(key, *number) : *this;
}

Writer& Writer::NonEmptyField(std::string_view key, std::string_view text) {
  return text.empty() ? *this : Field(key, text);
}

std::string Writer::Take() {
  return {buffer_.GetString(), buffer_.GetSize()};
}

}  // namespace switchboard::json
