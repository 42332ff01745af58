#include "workers/admin/api_json.hpp"

#include <algorithm>
#include <cctype>

#include "common/text_shapes.hpp"

namespace switchboard::admin {

json::Document ParseJsonBody(const ApiRequest& request) {
  auto parsed = json::Parse(request.http.body());
  if (!parsed.ok()) throw ApiError::BadRequest("the body must be JSON: " + parsed.error().message);
  json::Document document = std::move(parsed).value();
  if (!document.IsObject()) throw ApiError::BadRequest("the body must be a JSON object");
  return document;
}

void RejectUnknownFields(const json::Value& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& member : body.GetObject()) {
    const std::string_view name = json::View(member.name);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (const auto field : allowed) known += (known.empty() ? "" : ", ") + std::string(field);
      // The name as a JSON string (quoted, repaired): it may be anything.
      throw ApiError::BadRequest("unknown field " + json::Serialize(member.name) +
                                 " (known: " + known + ")");
    }
  }
}

std::string RequiredText(const json::Value& body, std::string_view name, std::size_t max_bytes) {
  const json::Value* value = json::Find(body, name);
  if (value == nullptr || value->IsNull())
    throw ApiError::BadRequest(std::string(name) + " is required");
  auto text = json::String(body, name);
  if (!text) throw ApiError::BadRequest(std::string(name) + " must be a string");
  const bool blank =
      std::all_of(text->begin(), text->end(), [](unsigned char c) { return std::isspace(c) != 0; });
  if (blank) throw ApiError::BadRequest(std::string(name) + " must not be empty");
  if (text->size() > max_bytes) {
    throw ApiError::BadRequest(std::string(name) + " must be at most " + std::to_string(max_bytes) +
                               " bytes");
  }
  return std::move(*text);
}

std::optional<std::string> OptionalText(const json::Value& body, std::string_view name,
                                        std::size_t max_bytes) {
  const json::Value* value = json::Find(body, name);
  if (value == nullptr || value->IsNull()) return std::nullopt;
  return RequiredText(body, name, max_bytes);
}

std::optional<std::int64_t> OptionalInteger(const json::Value& body, std::string_view name,
                                            std::int64_t low, std::int64_t high) {
  const json::Value* value = json::Find(body, name);
  if (value == nullptr || value->IsNull()) return std::nullopt;
  const auto number = json::Int(body, name);
  if (!number || *number < low || *number > high) {
    throw ApiError::BadRequest(std::string(name) + " must be a whole number from " +
                               std::to_string(low) + " to " + std::to_string(high));
  }
  return number;
}

std::optional<bool> OptionalBool(const json::Value& body, std::string_view name) {
  const json::Value* value = json::Find(body, name);
  if (value == nullptr || value->IsNull()) return std::nullopt;
  const auto flag = json::Bool(body, name);
  if (!flag) throw ApiError::BadRequest(std::string(name) + " must be true or false");
  return flag;
}

std::optional<std::string> OptionalObject(const json::Value& body, std::string_view name) {
  const json::Value* value = json::Find(body, name);
  if (value == nullptr || value->IsNull()) return std::nullopt;
  if (!value->IsObject()) throw ApiError::BadRequest(std::string(name) + " must be an object");
  return json::Serialize(*value);
}

int QueryLimit(const ApiRequest& request, int fallback, int high) {
  const auto value = request.Query("limit");
  if (!value) return fallback;
  try {
    std::size_t used = 0;
    const int limit = std::stoi(*value, &used);
    if (used == value->size() && limit >= 1 && limit <= high) return limit;
  } catch (const std::exception&) {
    // not a number: refused below
  }
  throw ApiError::BadRequest("limit must be a whole number from 1 to " + std::to_string(high));
}

std::string PathUuid(const ApiRequest& request, std::string_view name, std::string_view what) {
  std::string id = request.Param(name);
  if (!LooksLikeUuid(id)) throw ApiError::NotFound(std::string(what) + " not found");
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

}  // namespace switchboard::admin
