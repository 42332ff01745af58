#include "common/topics/record.hpp"

namespace switchboard::topics {

std::string ConversationKey(std::string_view channel, std::string_view account,
                            std::string_view party) {
  std::string key;
  key.reserve(channel.size() + account.size() + party.size() + 2);
  key.append(channel).append(":").append(account).append(":").append(party);
  return key;
}

std::vector<Header> RecordHeaders(std::string_view event_id, std::string_view schema,
                                  std::string_view tenant, std::string_view trace_id) {
  std::vector<Header> headers;
  headers.reserve(4);
  headers.push_back({"event-id", std::string(event_id)});
  headers.push_back({"schema", std::string(schema)});
  if (!tenant.empty()) headers.push_back({"tenant", std::string(tenant)});
  headers.push_back({"trace-id", std::string(trace_id)});
  return headers;
}

ValueReader::ValueReader(std::string_view topic, std::string_view schema, std::string_view value)
    : topic_(topic) {
  document_.SetObject();
  Result<json::Document> parsed = json::Parse(value);
  if (!parsed.ok() || !parsed->IsObject()) {
    problem_ = Error{topic_ + " value is not a JSON object", false};
    return;
  }
  document_ = std::move(parsed).value();
  if (json::StringView(document_, "schema") != schema) {
    problem_ = Error{topic_ + ": schema is not " + std::string(schema), false};
  }
}

void ValueReader::Fail(std::string_view name, std::string_view what) {
  if (!problem_) {
    problem_ = Error{topic_ + ": " + std::string(name) + " " + std::string(what), false};
  }
}

std::string ValueReader::Required(std::string_view name) {
  std::optional<std::string> text = json::String(document_, name);
  if (!text || text->empty()) {
    Fail(name, "is missing or not a string");
    return {};
  }
  return std::move(*text);
}

std::string ValueReader::Present(std::string_view name) {
  std::optional<std::string> text = json::String(document_, name);
  if (!text) Fail(name, "is missing or not a string");
  return text.value_or("");
}

std::string ValueReader::Optional(std::string_view name) {
  return json::String(document_, name).value_or("");
}

std::int64_t ValueReader::Count(std::string_view name) {
  if (json::Find(document_, name) == nullptr) return 0;
  const std::optional<std::int64_t> count = json::Int(document_, name);
  if (!count || *count < 0) {
    Fail(name, "is not a non-negative integer");
    return 0;
  }
  return *count;
}

bool ValueReader::Flag(std::string_view name) {
  return json::Bool(document_, name).value_or(false);
}

std::string ValueReader::ObjectText(std::string_view name) {
  const json::Value* member = json::Find(document_, name);
  if (member == nullptr || !member->IsObject()) {
    Fail(name, "is missing or not an object");
    return {};
  }
  return json::Serialize(*member);
}

}  // namespace switchboard::topics
