#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "ingest/voice_directory.hpp"

namespace switchboard::ingest {

/// What every assistant ingest hands Vapi has in common.
struct AssistantSettings {
  /// Where Vapi sends the assistant's tool calls: INGEST_PUBLIC_URL + "/webhooks/vapi"; empty:
  /// the tools name no server (Vapi then uses the assistant's, phone number's or org's).
  std::string tool_server_url;
  /// VAPI_MODEL: the OpenAI model the assistant thinks with.
  std::string model = "gpt-4o-mini";
};

/// The system prompt of a voice call: the business and its facts as the agent's chat prompt has
/// them (opening hours and "today" in its timezone, services with prices: common/
/// business_facts), the language to speak, and rules for speech: short sentences, no lists,
/// markdown or symbols read aloud, the tools for availability and bookings.
std::string VoiceSystemPrompt(const VoiceIntegration& integration, std::chrono::sys_seconds now);

/// The answer to an assistant-request: {"assistant": {name, firstMessage, model: {provider,
/// model, messages: [system prompt], tools: [each tool of common/tool_definitions with the
/// server URL]}, voice, metadata: {business_id}}}.
std::string AssistantAnswer(const VoiceIntegration& integration, const AssistantSettings& settings,
                            std::chrono::sys_seconds now);

/// Whether the business has used up its monthly voice minutes (as of the last load).
bool VoiceLimitReached(const VoiceIntegration& integration);

/// An assistant-request answer Vapi speaks to the caller before hanging up: {"error": text}.
std::string SpokenErrorAnswer(std::string_view text);

/// What a caller hears when the number is not (or no longer) connected to a business.
inline constexpr std::string_view kUnknownNumberMessage =
    "Sorry, this number is not connected to a receptionist right now. Please try again later.";
/// What a caller hears when the business has used up its voice minutes (unless it set its own
/// limit_message).
inline constexpr std::string_view kVoiceLimitMessage =
    "Sorry, we cannot take calls right now. Please send us a message instead.";
/// What the assistant says for a tool that did not answer in time.
inline constexpr std::string_view kToolTimeoutMessage =
    "Sorry, that is taking longer than expected. Please ask me again in a moment.";

}  // namespace switchboard::ingest
