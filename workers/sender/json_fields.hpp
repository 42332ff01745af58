#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

namespace switchboard::sender {

/// The string member `name` of `object`, or nullopt when `object` is not an object or the member
/// is absent or not a string.
std::optional<std::string> StringField(const rapidjson::Value& object, const char* name);

}  // namespace switchboard::sender
