#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/business_facts.hpp"
#include "workers/agent/context.hpp"
#include "workers/agent/llm_client.hpp"

namespace switchboard::agent {

/// The system prompt of a turn: the business's personality and facts, its opening hours and
/// "today" in its own timezone (UTC when the zone cannot be loaded), its services with durations
/// and prices, what is known about the customer, and the knowledge passages with their ids
/// ([K1] ... with chunk id and title), with the rules to answer only from these facts, to use the
/// tools for bookings and to hand over to a human when unsure.
std::string BuildSystemPrompt(const TurnContext& context, std::chrono::sys_seconds now);

/// The chat messages of a turn: the system prompt, the history (oldest first, as user and
/// assistant messages) and the customer's new message `user_text` last.
std::vector<ChatMessage> BuildChatMessages(const TurnContext& context, std::string_view user_text,
                                           std::chrono::sys_seconds now);

/// A price in cents as text (common/business_facts.hpp).
using switchboard::FormatPrice;

/// The start of `text` cut after the last whole sentence (ending in . ! or ?) that fits in
/// `max_bytes`; when not even the first sentence fits, cut at the last space before the limit
/// (or at a UTF-8 boundary) with "…" appended. Whitespace is trimmed at both ends.
std::string SentenceExcerpt(std::string_view text, std::size_t max_bytes);

}  // namespace switchboard::agent
