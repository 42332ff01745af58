#pragma once

// Reading the JSON bodies and path parameters of admin API requests: each refusal is an ApiError
// 400 that names the field (or 404 for a path id that cannot exist).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.hpp"
#include "workers/admin/admin_routes.hpp"

namespace switchboard::admin {

/// The request's body as a JSON object; 400 when it is not one.
json::Document ParseJsonBody(const ApiRequest& request);

/// 400 naming the first member of `body` that is not in `allowed`.
void RejectUnknownFields(const json::Value& body, std::initializer_list<std::string_view> allowed);

/// The member as a non-blank string of at most `max_bytes` (valid UTF-8); 400 otherwise or when
/// absent.
std::string RequiredText(const json::Value& body, std::string_view name,
                         std::size_t max_bytes = 1000);

/// The member as RequiredText when present (null counts as absent); nullopt when absent.
std::optional<std::string> OptionalText(const json::Value& body, std::string_view name,
                                        std::size_t max_bytes = 1000);

/// The member as a whole number in [low, high] when present; nullopt when absent; 400 otherwise.
std::optional<std::int64_t> OptionalInteger(const json::Value& body, std::string_view name,
                                            std::int64_t low, std::int64_t high);

/// The member as a boolean when present; nullopt when absent; 400 otherwise.
std::optional<bool> OptionalBool(const json::Value& body, std::string_view name);

/// The member as compact JSON text of an object when present; nullopt when absent; 400 when it is
/// not an object.
std::optional<std::string> OptionalObject(const json::Value& body, std::string_view name);

/// The query parameter "limit" as a whole number in [1, high]; `fallback` when absent; 400
/// otherwise.
int QueryLimit(const ApiRequest& request, int fallback, int high);

/// The path parameter `name` as a lower-case UUID; 404 "<what> not found" when it is not one
/// (no such row can exist).
std::string PathUuid(const ApiRequest& request, std::string_view name, std::string_view what);

}  // namespace switchboard::admin
