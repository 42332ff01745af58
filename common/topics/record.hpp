#pragma once

// What every topic contract unit (common/topics/<topic>.hpp) shares: the conversation key, the
// headers every record carries, and a reader that decodes a value member by member.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace switchboard::topics {

/// The key that keeps one conversation's records in order on every topic that carries them:
/// "<channel>:<channel account>:<party>" (the customer's id on that channel).
std::string ConversationKey(std::string_view channel, std::string_view account,
                            std::string_view party);

/// The headers of a record: event-id, schema, tenant (left out when empty) and trace-id.
std::vector<Header> RecordHeaders(std::string_view event_id, std::string_view schema,
                                  std::string_view tenant, std::string_view trace_id);

/// Decodes one topic value: parses it, checks its "schema" member, and reads members; the first
/// problem found (not JSON, not an object, another schema, a member missing or mistyped) becomes
/// a non-retryable Error naming the topic and the member.
class ValueReader final {
 public:
  /// Reads `value` of `topic`, which must be a JSON object whose "schema" member is `schema`.
  ValueReader(std::string_view topic, std::string_view schema, std::string_view value);

  /// A string member that must be present and non-empty.
  std::string Required(std::string_view name);
  /// A string member that must be present (it may be empty).
  std::string Present(std::string_view name);
  /// A string member, or "" when absent.
  std::string Optional(std::string_view name);
  /// A whole number member that must not be negative; 0 when absent.
  std::int64_t Count(std::string_view name);
  /// A boolean member; false when absent or not a boolean.
  bool Flag(std::string_view name);
  /// An object member that must be present, as compact JSON text (strings repaired).
  std::string ObjectText(std::string_view name);
  /// The parsed object (an empty object after a parse failure).
  const json::Value& Object() const { return document_; }
  /// Records a problem with member `name` that the reads above cannot see (the first one wins).
  void Fail(std::string_view name, std::string_view what);

  /// The value read, or the first problem found.
  template <typename T>
  Result<T> Finish(T value) const {
    if (problem_) return *problem_;
    return value;
  }

 private:
  std::string topic_;
  json::Document document_;
  std::optional<Error> problem_;
};

}  // namespace switchboard::topics
