// The agent's prompt: what the model is told about the business, the customer and the knowledge.
#include "workers/agent/prompt.hpp"

#include <doctest/doctest.h>

namespace {

using namespace std::chrono;
using namespace switchboard::agent;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TurnContext SalonContext() {
  TurnContext context;
  BusinessInfo& business = context.business;
  business.id = "b1";
  business.name = "Hair by Ana";
  business.timezone = "America/New_York";
  business.personality = "Warm and brief, uses the customer's first name.";
  business.hours[1] = {{"09:00", "17:00"}};                      // Monday
  business.hours[6] = {{"10:00", "13:00"}, {"14:00", "16:00"}};  // Saturday
  business.services = {{"s1", "Haircut", minutes(45), 4500, "USD", "Wash, cut and style"},
                       {"s2", "Colour", minutes(90), 12050, "USD", ""}};
  context.customer = {"c1", "Maria", "4915112345678", "maria@example.com", {"vip"}, {}};
  // 2025-01-10 15:00Z is 10:00 in New York.
  context.customer.upcoming.push_back({"a1", "s1", "Haircut", sys_days(2025y / January / 10) + 15h,
                                       sys_days(2025y / January / 10) + 15h + 45min, true});
  context.passages = {{"chunk-parking", "item-1", "Visiting us", "Parking",
                       "Free parking is behind the salon.", 0.3},
                      {"chunk-pets", "item-2", "Policies", "", "Dogs are welcome.", 0.1}};
  return context;
}

// 2025-01-07 03:30Z: still Monday 2025-01-06 22:30 in New York.
const sys_seconds kNow = sys_days(2025y / January / 7) + 3h + 30min;

TEST_CASE("The system prompt holds the business facts, services and personality") {
  const std::string prompt = BuildSystemPrompt(SalonContext(), kNow);
  CHECK(Contains(prompt, "Hair by Ana"));
  CHECK(Contains(prompt, "Warm and brief, uses the customer's first name."));
  CHECK(Contains(prompt, "- Haircut: 45 min, 45.00 USD - Wash, cut and style"));
  CHECK(Contains(prompt, "- Colour: 90 min, 120.50 USD"));
  CHECK(Contains(prompt, "name: Maria"));
  CHECK(Contains(prompt, "email: maria@example.com"));
  CHECK(Contains(prompt, "tags: vip"));
}

TEST_CASE("Hours, today and appointments are in the business's timezone") {
  const std::string prompt = BuildSystemPrompt(SalonContext(), kNow);
  CHECK(Contains(prompt, "Today is Monday 2025-01-06 22:30 (America/New_York)"));
  CHECK(Contains(prompt, "Opening hours (local time, America/New_York)"));
  CHECK(Contains(prompt, "- Monday: 09:00-17:00\n"));
  CHECK(Contains(prompt, "- Saturday: 10:00-13:00, 14:00-16:00\n"));
  CHECK(Contains(prompt, "- Sunday: closed\n"));
  CHECK(Contains(prompt, "Friday 2025-01-10 10:00 to 10:45 (Haircut)"));
}

TEST_CASE("An unknown timezone falls back to UTC rather than failing the turn") {
  TurnContext context = SalonContext();
  context.business.timezone = "Mars/Olympus";
  const std::string prompt = BuildSystemPrompt(context, kNow);
  CHECK(Contains(prompt, "Today is Tuesday 2025-01-07 03:30 (UTC)"));
}

TEST_CASE("The knowledge passages appear with their ids, best first") {
  const std::string prompt = BuildSystemPrompt(SalonContext(), kNow);
  const auto parking = prompt.find(
      "[K1] (chunk chunk-parking) Visiting us - Parking\n"
      "Free parking is behind the salon.");
  const auto pets = prompt.find("[K2] (chunk chunk-pets) Policies\nDogs are welcome.");
  REQUIRE(parking != std::string::npos);
  REQUIRE(pets != std::string::npos);
  CHECK(parking < pets);

  TurnContext empty = SalonContext();
  empty.passages.clear();
  CHECK(Contains(BuildSystemPrompt(empty, kNow), "Knowledge base: nothing matched"));
}

TEST_CASE("Chat messages: system, history oldest first, then the new message") {
  TurnContext context = SalonContext();
  context.history = {{"user", "Hi, do you cut curly hair?", "instagram", sys_seconds(1000s)},
                     {"assistant", "Yes, we do!", "instagram", sys_seconds(1010s)},
                     {"user", "Great", "whatsapp", sys_seconds(2000s)}};
  const auto messages = BuildChatMessages(context, "Can I book Friday?", kNow);
  REQUIRE(messages.size() == 5);
  CHECK(messages[0].role == "system");
  CHECK(messages[0].content == BuildSystemPrompt(context, kNow));
  CHECK(messages[1].role == "user");
  CHECK(messages[1].content == "Hi, do you cut curly hair?");
  CHECK(messages[2].role == "assistant");
  CHECK(messages[2].content == "Yes, we do!");
  CHECK(messages[3].content == "Great");
  CHECK(messages[4].role == "user");
  CHECK(messages[4].content == "Can I book Friday?");
}

TEST_CASE("SentenceExcerpt keeps whole sentences that fit") {
  CHECK(SentenceExcerpt("  Short answer.  ", 100) == "Short answer.");
  CHECK(SentenceExcerpt("One. Two is longer. Three is much longer than the rest.", 25) ==
        "One. Two is longer.");
  CHECK(SentenceExcerpt("Version 2.5 is out. More text follows here.", 30) ==
        "Version 2.5 is out.");
  CHECK(SentenceExcerpt("a very long first sentence without any end", 20) ==
        "a very long first\xE2\x80\xA6");
}

TEST_CASE("FormatPrice writes cents with two decimals") {
  CHECK(FormatPrice(0, "EUR") == "0.00 EUR");
  CHECK(FormatPrice(4505, "USD") == "45.05 USD");
}

}  // namespace
