#pragma once

// What one turn of a conversation is: the facts the agent answers with (TurnContext), which turn
// it is (TurnQuery) and what it answers (TurnReply, StoredReply). AgentStore
// (workers/agent/agent_store.hpp) reads and writes them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "workers/agent/booking.hpp"
#include "workers/agent/passage_ranking.hpp"
#include "workers/agent/slots.hpp"

namespace switchboard::agent {

/// The business facts the agent speaks for.
struct BusinessInfo {
  std::string id;
  std::string name;
  /// IANA zone name; opening hours and "today" are in it.
  std::string timezone = "UTC";
  /// settings.personality, greeting, fallback_message, limit_message ("" when unset).
  std::string personality;
  std::string greeting;
  std::string fallback_message;
  std::string limit_message;
  /// Empty days when businesses.opening_hours is malformed (logged).
  WeeklyHours hours;
  /// Active services, by name.
  std::vector<Service> services;
  /// businesses.monthly_message_limit; nullopt: unlimited.
  std::optional<std::int64_t> monthly_message_limit;
};

/// What the business knows about the customer.
struct CustomerInfo {
  std::string id;
  std::string name;
  std::string phone;
  std::string email;
  std::vector<std::string> tags;
  /// Booked appointments that end after the turn's time, soonest first.
  std::vector<Appointment> upcoming;
};

/// One earlier message of the customer (any channel), for the chat history.
struct HistoryMessage {
  std::string role;  // "user" or "assistant"
  std::string content;
  std::string channel;
  std::chrono::sys_seconds at;
};

/// A knowledge chunk that matched the customer's text.
struct KnowledgePassage {
  std::string chunk_id;
  std::string item_id;
  std::string title;
  std::string heading;
  std::string content;
  /// What the passages are ordered by (higher is better): the full-text score, or the fusion
  /// of the full-text and vector rankings (workers/agent/knowledge_search.hpp).
  double rank = 0;
};

/// The assistant reply already stored for this turn (a redelivered record).
struct StoredReply {
  std::string message_id;
  std::string content;
  std::string kind;
  std::int64_t llm_tokens = 0;
  std::chrono::sys_seconds created_at;
};

/// What the agent answers one turn with, before it is stored.
struct TurnReply {
  std::string text;
  /// "ai", "retrieval", "fallback" or "limit".
  std::string kind;
  /// [{name, arguments, ok, handed_off, result}] as JSON text; "" when no tool ran.
  std::string tool_calls_json;
  /// [{chunk_id, item_id, title, rank}] of the passages the answer was grounded in; "" for none.
  std::string sources_json;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  /// The conversation needs a person (fallback replies).
  bool needs_human = false;
};

/// What answering one turn needs to know, read in one transaction.
struct TurnContext {
  BusinessInfo business;
  CustomerInfo customer;
  /// Oldest first; excludes the turn's own inbound message.
  std::vector<HistoryMessage> history;
  /// Best first, at most TurnQuery::passage_limit.
  std::vector<KnowledgePassage> passages;
  /// The passage retrieval-only mode may answer with (TurnQuery::retrieval_rule); nullopt: the
  /// fallback.
  std::optional<std::size_t> retrieval_answer;
  /// The conversation's status: ACTIVE, CLOSED or HANDED_OFF.
  std::string conversation_status;
  /// usage_counters.messages of the current UTC month.
  std::int64_t messages_this_month = 0;
  std::optional<StoredReply> existing_reply;
};

/// Which turn: what AgentStore loads the context and stores the reply by.
struct TurnQuery {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  /// The inbound message row of the turn.
  std::string message_id;
  /// The customer's text (knowledge search); empty: no search.
  std::string text;
  /// The event id the reply to this turn carries (messages.event_id of a stored reply).
  std::string reply_event_id;
  std::chrono::sys_seconds now;
  int history_limit = 12;
  int passage_limit = 4;
  /// When retrieval-only mode may answer with the best passage.
  ConfidenceRule retrieval_rule;
  /// The text's embedding and its model (the hybrid search); empty: full text alone.
  std::vector<float> embedding;
  std::string embedding_model;
};

/// Why a turn cannot be loaded at all (the record is dead-lettered).
class MissingTurnData : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace switchboard::agent
