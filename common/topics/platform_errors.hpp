#pragma once

// The errors[] member that messages.inbound and delivery.status share: WhatsApp's error objects,
// flattened (schemas/messages.inbound.schema.json, schemas/delivery.status.schema.json).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace switchboard::topics {

/// One platform error; members the platform did not send are absent.
struct PlatformError {
  std::optional<std::int64_t> code;  ///< e.g. 131047
  std::optional<std::string> title;
  std::optional<std::string> message;
  std::optional<std::string> details;  ///< error_data.details
  std::optional<std::string> href;     ///< documentation link
};

/// Writes the member "errors" (an array of objects, absent members left out) when `errors` is
/// not empty.
void WriteErrors(json::Writer& writer, const std::vector<PlatformError>& errors);

/// The errors[] member of a decoded value; empty when absent or not an array. Items that are not
/// objects, and members of the wrong type, read as absent.
std::vector<PlatformError> ReadErrors(const json::Value& value);

/// `errors` as a JSON array, "[]" when empty: for a jsonb column or a log line.
std::string ErrorsJson(const std::vector<PlatformError>& errors);

}  // namespace switchboard::topics
