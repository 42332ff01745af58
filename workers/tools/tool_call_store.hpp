#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/topics/tools_requests.hpp"
#include "workers/tools/spoken_answer.hpp"

namespace switchboard::tools {

/// An answer as stored in voice_tool_calls (migration 0008).
struct StoredAnswer {
  SpokenAnswer answer;
  std::string completed_at;  ///< ISO-8601 UTC with milliseconds
};

/// What the tools stage knows of a tool call before running it.
struct PreparedCall {
  /// The answer given before (a redelivered request): sent again, the tool is not run.
  std::optional<StoredAnswer> answered;
  /// The caller's customer; nullopt when answered, or when the call has no E.164 number.
  std::optional<std::string> customer_id;
};

/// The tools stage's SQL, each method one db::TenantWork of the request's tenant (the tools'
/// own reads and writes are agent::PostgresToolStore's). Throws pqxx errors (data_exception for a
/// business_id that is not a UUID, foreign_key_violation for an unknown business) and
/// RetryableError.
class ToolCallStore final {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit ToolCallStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// The answer stored for `request`'s tool call, else the caller's customer: the same customer
  /// as the WhatsApp sender with that number (customers::CustomerByPhone, created when new).
  PreparedCall Prepare(const topics::ToolCallRequest& request);

  /// Opens the call's voice conversation `conversation_id` for `customer_id` (ACTIVE, metadata
  /// call_id and caller) unless it exists, so send_to_human has a conversation to hand over. A
  /// customer with another open voice conversation keeps it (nothing is written).
  void OpenCallConversation(const topics::ToolCallRequest& request, const std::string& customer_id,
                            const std::string& conversation_id);

  /// Stores `answer` as the answer to `request`'s tool call unless one is stored already, and
  /// returns the stored one (the first answer wins, so every delivery answers the same).
  StoredAnswer Save(const topics::ToolCallRequest& request,
                    const std::optional<std::string>& customer_id, const SpokenAnswer& answer,
                    const std::string& completed_at);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::tools
