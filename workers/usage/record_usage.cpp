#include "workers/usage/record_usage.hpp"

#include <rapidjson/document.h>

#include <pqxx/pqxx>

#include "common/log.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::usage {
namespace {

constexpr char kUsageSchema[] = "usage.events/1";

/// The string member `name` of `object`, or nullptr when absent or not a string.
const rapidjson::Value* StringMember(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? &it->value : nullptr;
}

std::string Text(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

}  // namespace

Result<UsageEvent> ParseUsageEvent(std::string_view value, std::string_view trace_header) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(value.data(), value.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Error{"usage.events value is not a JSON object", false};
  }
  const auto* schema = StringMember(document, "schema");
  if (schema == nullptr || Text(*schema) != kUsageSchema) {
    return Error{"usage.events: schema is not usage.events/1", false};
  }
  UsageEvent event;
  const std::pair<const char*, std::string*> required[] = {{"event_id", &event.event_id},
                                                           {"business_id", &event.business_id},
                                                           {"occurred_at", &event.occurred_at}};
  for (const auto& [name, field] : required) {
    const auto* member = StringMember(document, name);
    if (member == nullptr || member->GetStringLength() == 0) {
      return Error{std::string("usage.events: ") + name + " is missing or not a string", false};
    }
    *field = Text(*member);
  }
  const std::pair<const char*, std::int64_t*> counts[] = {{"messages", &event.messages},
                                                          {"llm_tokens", &event.llm_tokens},
                                                          {"voice_seconds", &event.voice_seconds}};
  for (const auto& [name, count] : counts) {
    const auto member = document.FindMember(name);
    if (member == document.MemberEnd()) continue;
    if (!member->value.IsInt64() || member->value.GetInt64() < 0) {
      return Error{std::string("usage.events: ") + name + " is not a non-negative integer", false};
    }
    *count = member->value.GetInt64();
  }
  if (const auto* kind = StringMember(document, "kind")) event.kind = Text(*kind);
  const auto* trace = StringMember(document, "trace_id");
  event.trace_id = trace != nullptr ? Text(*trace) : std::string(trace_header);
  return event;
}

bool UsageRecorder::Record(const UsageEvent& event) {
  auto lease = pool_.Acquire();
  db::TenantWork tx(*lease, event.business_id);
  // One statement: the counter upsert reads only the row the event insert took, so an event
  // recorded before adds nothing. The month is the UTC one whatever the session's time zone.
  const pqxx::result counted = db::Exec(
      tx,
      "WITH recorded AS ("
      "  INSERT INTO usage_events (business_id, event_id, kind, messages, llm_tokens, "
      "                            voice_seconds, occurred_at) "
      "  VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) "
      "  ON CONFLICT (business_id, event_id) DO NOTHING "
      "  RETURNING business_id, occurred_at, messages, llm_tokens, voice_seconds) "
      "INSERT INTO usage_counters (business_id, month, messages, llm_tokens, voice_seconds) "
      "SELECT business_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date, messages, "
      "       llm_tokens, voice_seconds FROM recorded "
      "ON CONFLICT (business_id, month) DO UPDATE "
      "SET messages = usage_counters.messages + EXCLUDED.messages, "
      "    llm_tokens = usage_counters.llm_tokens + EXCLUDED.llm_tokens, "
      "    voice_seconds = usage_counters.voice_seconds + EXCLUDED.voice_seconds, "
      "    updated_at = now() "
      "RETURNING 1",
      event.business_id, event.event_id, event.kind, event.messages, event.llm_tokens,
      event.voice_seconds, event.occurred_at);
  tx.commit();
  return !counted.empty();
}

Outcome UsageRecorder::Handle(const ConsumedRecord& record) {
  const auto trace_header = FindHeader(record.headers, "trace-id");
  const auto parsed = ParseUsageEvent(record.value, trace_header.value_or(""));
  if (!parsed) {
    Log(LogLevel::kError, "malformed usage event",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(trace_header.value_or(""))}});
    return Outcome::DeadLetter(parsed.error().message);
  }
  const UsageEvent& event = *parsed;
  try {
    if (!Record(event)) {
      Log(LogLevel::kDebug, "usage event counted before",
          {{"event_id", event.event_id}, {"trace_id", event.trace_id}});
    }
  } catch (const pqxx::data_exception& e) {
    // Not a UUID, an unreadable timestamp: the same every time.
    Log(LogLevel::kError, "usage event refused by the database",
        {{"error", e.what()}, {"event_id", event.event_id}, {"trace_id", event.trace_id}});
    return Outcome::DeadLetter(std::string("usage.events: ") + e.what());
  } catch (const pqxx::foreign_key_violation& e) {
    Log(LogLevel::kError, "usage event of an unknown business",
        {{"business_id", event.business_id},
         {"event_id", event.event_id},
         {"trace_id", event.trace_id}});
    return Outcome::DeadLetter("usage.events: unknown business " + event.business_id);
  }
  return Outcome::Done();
}

}  // namespace switchboard::usage
