#include "ingest/vapi_assistant.hpp"

#include <array>
#include <utility>

#include "common/json.hpp"
#include "common/time_zone.hpp"
#include "common/tool_definitions.hpp"

namespace switchboard::ingest {
namespace {

using namespace std::chrono;

constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kLanguages = {{
    {"en", "English"},
    {"de", "German"},
    {"fr", "French"},
    {"es", "Spanish"},
    {"it", "Italian"},
    {"nl", "Dutch"},
    {"pt", "Portuguese"},
    {"pl", "Polish"},
    {"tr", "Turkish"},
    {"sv", "Swedish"},
    {"da", "Danish"},
    {"nb", "Norwegian"},
}};

std::string LanguageName(std::string_view code) {
  for (const auto& [known, name] : kLanguages) {
    if (known == code) return std::string(name);
  }
  return "the language with ISO 639-1 code '" + std::string(code) + "'";
}

}  // namespace

std::string VoiceSystemPrompt(const VoiceIntegration& integration, sys_seconds now) {
  auto loaded = TimeZone::Load(integration.timezone);
  const TimeZone zone = loaded.ok() ? *loaded : *TimeZone::Load("UTC");
  std::string prompt;
  prompt += "You are the receptionist of " + integration.business_name +
            ", answering customers on the phone.\n";
  if (!integration.personality.empty()) prompt += "Personality: " + integration.personality + "\n";
  prompt += "Speak " + LanguageName(integration.language) +
            " unless the caller speaks another language.\n";
  prompt += "Today is " + FormatLocalDateTime(zone.ToLocal(now)) + " (" + zone.Name() +
            "). All dates and times you mention are in this timezone.\n";
  prompt +=
      "Rules: answer only from the facts below and tool results; never invent prices, hours or "
      "policies. Check availability and book or cancel appointments only with the tools. If you "
      "cannot help or the caller asks for a person, use send_to_human.\n";
  prompt +=
      "You are speaking, not writing: use short sentences, one question at a time; no lists, "
      "markdown, emojis or symbols; say times and prices as a person would say them aloud; "
      "confirm the date, time and service before booking.\n\n";
  prompt += "Business: " + integration.business_name + "\n";
  prompt += OpeningHoursText(integration.hours, zone.Name());
  prompt += ServicesText(integration.services);
  return prompt;
}

std::string AssistantAnswer(const VoiceIntegration& integration, const AssistantSettings& settings,
                            sys_seconds now) {
  const std::string first_message =
      !integration.first_message.empty() ? integration.first_message
      : !integration.greeting.empty()
          ? integration.greeting
          : "Hello, this is " + integration.business_name + ". How can I help you?";
  json::Writer writer;
  writer.StartObject().Key("assistant").StartObject();
  writer.Field("name", integration.business_name).Field("firstMessage", first_message);
  writer.Key("model").StartObject().Field("provider", "openai").Field("model", settings.model);
  writer.Key("messages").StartArray();
  writer.StartObject()
      .Field("role", "system")
      .Field("content", VoiceSystemPrompt(integration, now))
      .EndObject();
  writer.EndArray();
  writer.Key("tools").StartArray();
  for (const ToolDefinition& tool : ToolDefinitions()) {
    const auto parameters = json::Parse(tool.parameters);
    writer.StartObject().Field("type", "function");
    writer.Key("function")
        .StartObject()
        .Field("name", tool.name)
        .Field("description", tool.description)
        .Key("parameters")
        .Copy(parameters.value())
        .EndObject();
    if (!settings.tool_server_url.empty()) {
      writer.Key("server").StartObject().Field("url", settings.tool_server_url).EndObject();
    }
    writer.EndObject();
  }
  writer.EndArray().EndObject();  // tools, model
  if (auto voice = json::Parse(integration.voice_json);
      voice.ok() && voice->IsObject() && voice->MemberCount() > 0) {
    writer.Key("voice").Copy(*voice);
  }
  writer.Key("metadata").StartObject().Field("business_id", integration.business_id).EndObject();
  writer.EndObject().EndObject();
  return writer.Take();
}

bool VoiceLimitReached(const VoiceIntegration& integration) {
  return integration.voice_seconds_this_month >= integration.monthly_voice_seconds_limit;
}

std::string SpokenErrorAnswer(std::string_view text) {
  return json::Writer().StartObject().Field("error", text).EndObject().Take();
}

}  // namespace switchboard::ingest
