#include "workers/agent/prompt.hpp"

#include "common/business_facts.hpp"
#include "common/time_zone.hpp"
#include "workers/agent/wall_clock.hpp"

namespace switchboard::agent {

namespace {

using namespace std::chrono;

TimeZone ZoneOf(const BusinessInfo& business) {
  auto zone = TimeZone::Load(business.timezone);
  if (zone.ok()) return *zone;
  return *TimeZone::Load("UTC");
}

void AppendCustomer(std::string& prompt, const CustomerInfo& customer, const TimeZone& zone) {
  prompt += "About the customer:\n";
  prompt += "- name: " + (customer.name.empty() ? std::string("unknown") : customer.name) + "\n";
  if (!customer.phone.empty()) prompt += "- phone: +" + customer.phone + "\n";
  if (!customer.email.empty()) prompt += "- email: " + customer.email + "\n";
  if (!customer.tags.empty()) {
    prompt += "- tags:";
    for (const auto& tag : customer.tags) prompt += " " + tag;
    prompt += "\n";
  }
  if (customer.upcoming.empty()) {
    prompt += "- upcoming appointments: none\n";
    return;
  }
  prompt += "- upcoming appointments:\n";
  for (const auto& appointment : customer.upcoming) {
    prompt += "  - " + FormatLocalDateTime(zone.ToLocal(appointment.start)) + " to " +
              FormatClock(zone.ToLocal(appointment.end));
    if (!appointment.service_name.empty()) prompt += " (" + appointment.service_name + ")";
    prompt += " [appointment id " + appointment.id + "]\n";
  }
}

void AppendPassages(std::string& prompt, const std::vector<KnowledgePassage>& passages) {
  if (passages.empty()) {
    prompt += "Knowledge base: nothing matched this message.\n";
    return;
  }
  prompt += "Knowledge base passages (best match first):\n";
  for (std::size_t i = 0; i < passages.size(); ++i) {
    const auto& passage = passages[i];
    prompt += "[K" + std::to_string(i + 1) + "] (chunk " + passage.chunk_id + ") " + passage.title;
    if (!passage.heading.empty() && passage.heading != passage.title) {
      prompt += " - " + passage.heading;
    }
    prompt += "\n" + passage.content + "\n";
  }
}

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string BuildSystemPrompt(const TurnContext& context, sys_seconds now) {
  const BusinessInfo& business = context.business;
  const TimeZone zone = ZoneOf(business);
  std::string prompt;
  prompt += "You are the receptionist of " + business.name +
            ", answering customers on messaging channels.\n";
  if (!business.personality.empty()) prompt += "Personality: " + business.personality + "\n";
  if (!business.greeting.empty()) {
    prompt +=
        "Greeting to use when the customer opens the conversation: " + business.greeting + "\n";
  }
  prompt += "Today is " + FormatLocalDateTime(zone.ToLocal(now)) + " (" + zone.Name() +
            "). All dates and times you mention are in this timezone.\n";
  prompt +=
      "Rules: answer only from the facts below, the knowledge base passages and tool results; "
      "never invent prices, hours or policies. Keep answers short (a few sentences, plain text). "
      "Check availability and book or cancel appointments only with the tools. If you cannot "
      "answer or the customer asks for a person, use send_to_human.\n\n";
  prompt += "Business: " + business.name + "\n";
  prompt += OpeningHoursText(business.hours, zone.Name());
  prompt += ServicesText(business.services);
  prompt += "\n";
  AppendCustomer(prompt, context.customer, zone);
  prompt += "\n";
  AppendPassages(prompt, context.passages);
  return prompt;
}

std::vector<ChatMessage> BuildChatMessages(const TurnContext& context, std::string_view user_text,
                                           sys_seconds now) {
  std::vector<ChatMessage> messages;
  messages.push_back({"system", BuildSystemPrompt(context, now), {}, {}});
  for (const auto& message : context.history) {
    messages.push_back({message.role, message.content, {}, {}});
  }
  messages.push_back({"user",
                      user_text.empty() ? std::string("[The customer sent a message without text]")
                                        : std::string(user_text),
                      {},
                      {}});
  return messages;
}

std::string SentenceExcerpt(std::string_view text, std::size_t max_bytes) {
  text = Trim(text);
  if (text.size() <= max_bytes) return std::string(text);
  // The end of the last sentence that fits: a terminator followed by whitespace (or the end).
  std::size_t cut = 0;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    const char c = text[i];
    if ((c == '.' || c == '!' || c == '?') && (i + 1 == text.size() || IsSpace(text[i + 1]))) {
      cut = i + 1;
    }
  }
  if (cut > 0) return std::string(Trim(text.substr(0, cut)));
  const std::string_view ellipsis = "\xE2\x80\xA6";
  std::size_t limit = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
  // A space right after the limit still ends a whole word.
  std::size_t space = text.substr(0, limit + 1).rfind(' ');
  if (space != std::string_view::npos && space > 0) {
    limit = space;
  } else {
    // No space: step back to the start of a UTF-8 sequence.
    while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) --limit;
  }
  return std::string(Trim(text.substr(0, limit))) + std::string(ellipsis);
}

}  // namespace switchboard::agent
