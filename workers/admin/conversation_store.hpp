#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/topics/replies_outbound.hpp"

namespace switchboard::admin {

/// A conversation as the admin API lists it.
struct ConversationRow {
  std::string id;
  std::string channel;
  std::string status;
  bool needs_human = false;
  std::string customer_id;
  std::optional<std::string> customer_name;
  std::optional<std::string> customer_phone;
  std::optional<std::string> last_message_at;  ///< ISO 8601, UTC; nullopt without messages
  std::string opened_at;
  /// The paging position of this row ("<opened_at in microseconds>_<id>").
  std::string cursor;
};

/// Which conversations a list shows; empty members do not filter.
struct ConversationFilter {
  std::optional<std::string> status;
  std::optional<std::string> channel;
  std::optional<bool> needs_human;
  /// ISO 8601: only conversations with a message at or after this time.
  std::optional<std::string> since;
  /// Only conversations after this position (a ConversationRow::cursor of the previous page).
  std::optional<std::string> after;
  int limit = 50;
};

/// A message as the admin API shows it.
struct MessageRow {
  std::string id;
  std::string role;
  std::string content;
  std::string channel;
  std::string status;
  std::string created_at;
};

/// What became of a person's reply.
struct HumanReply {
  enum class Kind {
    kQueued,  ///< stored; `reply` is the record to produce
    kNoConversation,
    kClosed,
    kVoice,         ///< a voice conversation has no channel to write to
    kWindowClosed,  ///< WhatsApp: the customer's last message is more than 24 hours old
    kNoRoute,       ///< no recipient identity, no active integration of the channel, or no message
                    ///< of the customer to answer
  };
  Kind kind = Kind::kNoConversation;
  topics::Reply reply;
};

/// The SQL of conversations and their messages, each call in a db::TenantWork of the tenant.
class ConversationStore final {
 public:
  explicit ConversationStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Newest opened first. Throws pqxx::data_exception for a `since` PostgreSQL cannot read.
  std::vector<ConversationRow> List(const std::string& business_id,
                                    const ConversationFilter& filter) const;
  /// Oldest first, the newest `limit`; nullopt when the tenant has no such conversation.
  std::optional<std::vector<MessageRow>> Messages(const std::string& business_id,
                                                  const std::string& conversation_id,
                                                  int limit) const;
  /// Stores a person's reply (role human, status pending) and hands the conversation to people
  /// (HANDED_OFF: the agent stays silent), in one transaction, when it can be sent; the reply
  /// record carries the stored message (whose id is also its trace id).
  HumanReply StoreHumanReply(const std::string& business_id, const std::string& conversation_id,
                             const std::string& text) const;
  /// Marks a stored human reply failed (its record could not be produced).
  void MarkReplyFailed(const std::string& business_id, const std::string& message_id,
                       const std::string& error) const;
  /// CLOSED with needs_human cleared (as it is when closed already); nullopt when the tenant has
  /// no such conversation.
  std::optional<ConversationRow> Close(const std::string& business_id,
                                       const std::string& conversation_id) const;

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::admin
