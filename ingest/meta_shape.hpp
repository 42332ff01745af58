#pragma once

// What the Meta delivery splitters (whatsapp_delivery, messaging_delivery) share: where in the
// body an item is, the shape error that names it, and readers of the parts every platform uses.
//
// Shape policy: a message or status missing what identifies it (id, sender, recipient, account)
// makes the whole delivery a shape error. Nothing is half-produced and the delivery goes to the
// dead letter intact, where it can be re-driven once the parser knows the new shape. Optional
// fields that are missing or of an unexpected type are left out; unknown fields are ignored.
//
// Strings are copied from the body as parsed, unrepaired: event ids and keys are made of those
// bytes, and json::Writer repairs what it writes into a value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.hpp"
#include "common/topics/messages_inbound.hpp"

namespace switchboard::ingest {

/// A delivery that is JSON but not a shape we know; thrown by the splitters, caught once in
/// SplitMetaDelivery.
struct ShapeError {
  std::string message;
};

/// Where in the body an item is, formatted only when an error names it.
struct JsonPath {
  const JsonPath* parent = nullptr;
  const char* name = nullptr;
  int index = -1;

  JsonPath Member(const char* member) const { return {this, member, -1}; }
  JsonPath Item(const char* array, int i) const { return {this, array, i}; }

  /// e.g. "entry[0].changes[1].value"; empty for the body itself.
  std::string ToString() const;
};

/// Throws ShapeError "<path> <what>" ("body <what>" at the root).
[[noreturn]] void ThrowShape(const JsonPath& path, std::string_view what);

/// The member as a non-empty string; a shape error "<path> has no <name>" otherwise.
std::string_view RequiredString(const json::Value& object, const char* name, const JsonPath& path);

/// The array member `name`: absent or null → nullptr, present but not an array → a shape error.
const json::Value* ItemsOf(const json::Value& object, const char* name, const JsonPath& path);

/// True when the array member `name` has at least one element (a shape error as ItemsOf).
bool HasItems(const json::Value& object, const char* name, const JsonPath& path);

/// Calls `visit(item, path)` for each element of the array member `name`, if any.
template <typename Visit>
void ForEachItem(const json::Value& object, const char* name, const JsonPath& path, Visit&& visit) {
  const json::Value* items = ItemsOf(object, name, path);
  if (items == nullptr) return;
  int index = 0;
  for (const json::Value& item : items->GetArray()) visit(item, path.Item(name, index++));
}

/// A platform timestamp (`unit_ms` per unit: 1000 for WhatsApp seconds, 1 for Messenger ms),
/// given as a number or a string of digits; nullopt when absent or out of range.
std::optional<std::int64_t> TimestampMs(const json::Value* value, std::int64_t unit_ms);

/// ISO-8601 UTC of `ms`; empty when there is none.
std::string IsoOrEmpty(std::optional<std::int64_t> ms);

/// The string member `name` copied as parsed; nullopt when absent or not a string.
std::optional<std::string> OptionalString(const json::Value& object, std::string_view name);

/// Media {id, url, mime_type, sha256, caption, filename} of a WhatsApp media object or a
/// Messenger attachment payload; nullopt when `media` is not an object.
std::optional<topics::InboundMedia> MediaOf(const json::Value& media);

}  // namespace switchboard::ingest
