#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

/// The percent-decoded value of query parameter `name` in a request target ("/path?a=1&b=2"),
/// std::nullopt when absent or malformed ('+' decodes to a space).
std::optional<std::string> QueryParameter(std::string_view target, std::string_view name);

/// The target without its query string.
std::string_view TargetPath(std::string_view target);

}  // namespace switchboard
