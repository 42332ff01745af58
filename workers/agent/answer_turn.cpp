#include "workers/agent/answer_turn.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <pqxx/pqxx>

#include "common/config.hpp"
#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/kafka_producer.hpp"
#include "common/log.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/agent/prompt.hpp"
#include "workers/agent/tools.hpp"

namespace switchboard::agent {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using std::chrono::sys_seconds;

constexpr std::string_view kRepliesTopic = "replies.outbound";
constexpr std::string_view kUsageTopic = "usage.events";
constexpr std::string_view kDefaultFallback =
    "Sorry, I can't answer that right now. A member of our team will get back to you shortly.";
constexpr std::string_view kDefaultLimit =
    "Sorry, we can't answer messages here at the moment. Please contact us another way or try "
    "again later.";
constexpr std::string_view kDefaultHandoff = "A member of our team will get back to you shortly.";
// Stored per tool call in messages.tool_calls: enough to audit, not a copy of every result.
constexpr std::size_t kToolResultSummaryBytes = 500;

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteField(JsonWriter& writer, const char* key, std::string_view text) {
  writer.Key(key);
  WriteString(writer, text);
}

/// `text` cut to at most `max_bytes` at a UTF-8 boundary.
std::string Truncated(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

/// `json` as a JSON value when it parses, else as a JSON string (what a model wrote may be
/// broken).
void WriteJsonOrString(JsonWriter& writer, std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) {
    WriteString(writer, json);
  } else {
    document.Accept(writer);
  }
}

/// A string member `name` of the JSON object `json`, or "".
std::string JsonStringMember(std::string_view json, const char* name) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) return "";
  const auto it = document.FindMember(name);
  return it != document.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

std::string SourcesJson(const std::vector<KnowledgePassage>& passages) {
  if (passages.empty()) return "";
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const auto& passage : passages) {
    writer.StartObject();
    WriteField(writer, "chunk_id", passage.chunk_id);
    WriteField(writer, "item_id", passage.item_id);
    WriteField(writer, "title", passage.title);
    writer.Key("rank");
    writer.Double(passage.rank);
    writer.EndObject();
  }
  writer.EndArray();
  return {buffer.GetString(), buffer.GetSize()};
}

/// The tool calls of a turn, as stored in messages.tool_calls.
class ToolCallLog final {
 public:
  ToolCallLog() : writer_(buffer_) { writer_.StartArray(); }

  void Add(const LlmToolCall& call, const ToolResult& result) {
    ++count_;
    writer_.StartObject();
    WriteField(writer_, "id", call.id);
    WriteField(writer_, "name", call.name);
    writer_.Key("arguments");
    WriteJsonOrString(writer_, call.arguments);
    writer_.Key("ok");
    writer_.Bool(result.ok);
    writer_.Key("handed_off");
    writer_.Bool(result.handed_off);
    WriteField(writer_, "result", Truncated(result.content, kToolResultSummaryBytes));
    writer_.EndObject();
  }

  /// The JSON array, or "" when no tool ran.
  std::string Json() {
    if (count_ == 0) return "";
    writer_.EndArray();
    return {buffer_.GetString(), buffer_.GetSize()};
  }

 private:
  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
  int count_ = 0;
};

TurnReply FallbackReply(const BusinessInfo& business) {
  TurnReply reply;
  reply.text =
      business.fallback_message.empty() ? std::string(kDefaultFallback) : business.fallback_message;
  reply.kind = "fallback";
  reply.needs_human = true;
  return reply;
}

TurnReply LimitReply(const BusinessInfo& business) {
  TurnReply reply;
  reply.text = business.limit_message.empty() ? std::string(kDefaultLimit) : business.limit_message;
  reply.kind = "limit";
  return reply;
}

/// Retrieval-only mode: the best passage when it matches strongly enough, else the fallback.
TurnReply AnswerFromKnowledge(const AgentSettings& settings, const TurnContext& context) {
  if (context.passages.empty() || context.passages.front().rank < settings.retrieval_min_rank) {
    return FallbackReply(context.business);
  }
  const KnowledgePassage& best = context.passages.front();
  TurnReply reply;
  reply.text = SentenceExcerpt(best.content, settings.retrieval_excerpt_bytes);
  reply.kind = "retrieval";
  reply.sources_json = SourcesJson({best});
  return reply;
}

/// The LLM with tools: up to max_tool_steps tool calls, then one call without tools. A failing
/// LLM (after its own retries) or an empty final answer gives the fallback reply.
TurnReply AnswerWithLlm(const AgentDependencies& deps, const ResolvedMessage& message,
                        const TurnContext& context, sys_seconds now) {
  const LlmClient& llm = *deps.llm;
  const ToolScope scope{message.business_id, message.customer_id, message.conversation_id, now};
  auto messages = BuildChatMessages(context, message.text, now);
  ToolCallLog tool_log;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int steps = 0;
  const auto finish = [&](TurnReply reply) {
    reply.tool_calls_json = tool_log.Json();
    reply.prompt_tokens = prompt_tokens;
    reply.completion_tokens = completion_tokens;
    if (reply.sources_json.empty() && reply.kind == "ai") {
      reply.sources_json = SourcesJson(context.passages);
    }
    return reply;
  };

  for (;;) {
    const bool tools_allowed = steps < deps.settings.max_tool_steps;
    auto completion = llm.Complete(messages, tools_allowed ? ToolDefinitionsJson() : "");
    if (!completion.ok()) {
      Log(LogLevel::kWarning, "LLM failed; answering with the fallback message",
          {{"event_id", message.event_id},
           {"trace_id", message.trace_id},
           {"error", completion.error().message}});
      return finish(FallbackReply(context.business));
    }
    prompt_tokens += completion->prompt_tokens;
    completion_tokens += completion->completion_tokens;
    if (completion->tool_calls.empty() || !tools_allowed) {
      if (completion->content.empty()) return finish(FallbackReply(context.business));
      return finish(TurnReply{completion->content, "ai"});
    }

    messages.push_back({"assistant", completion->content, {}, completion->tool_calls});
    std::string handoff_notice;
    bool handed_off = false;
    for (const auto& call : completion->tool_calls) {
      ToolResult result;
      if (steps < deps.settings.max_tool_steps) {
        ++steps;
        result = RunTool(deps.pool, scope, call.name, call.arguments);
      } else {
        // Every call of a response must be answered, also the ones over the limit.
        result = {R"({"error":"too many tool calls in this turn; answer the customer now"})", false,
                  false};
      }
      Log(LogLevel::kInfo, "tool ran",
          {{"event_id", message.event_id},
           {"trace_id", message.trace_id},
           {"tool", call.name},
           {"ok", result.ok ? "true" : "false"}});
      tool_log.Add(call, result);
      messages.push_back({"tool", result.content, call.id, {}});
      if (result.handed_off) {
        handed_off = true;
        if (handoff_notice.empty()) handoff_notice = JsonStringMember(result.content, "message");
      }
    }
    if (handed_off) {
      // No more AI in this conversation: the tool set it HANDED_OFF; tell the customer.
      if (handoff_notice.empty()) handoff_notice = completion->content;
      if (handoff_notice.empty()) handoff_notice = kDefaultHandoff;
      return finish(TurnReply{handoff_notice, "ai"});
    }
  }
}

/// Stores the reply (ON CONFLICT DO NOTHING on the reply event id) and flags the conversation
/// when the reply needs a person; returns the stored row (the earlier one after a conflict).
StoredReply StoreReply(db::ConnectionPool& pool, const ResolvedMessage& message,
                       const std::string& reply_event_id, const TurnReply& reply,
                       std::int64_t latency_ms) {
  auto connection = pool.Acquire();
  db::TenantWork tx(*connection, message.business_id);
  auto rows = db::Exec(
      tx,
      "INSERT INTO messages (business_id, conversation_id, role, content, tool_calls, sources, "
      "  prompt_tokens, completion_tokens, latency_ms, channel, status, event_id, reply_kind) "
      "VALUES ($1, $2, 'assistant', $3, NULLIF($4, '')::jsonb, NULLIF($5, '')::jsonb, $6, $7, $8, "
      "  $9, 'pending', $10, $11) "
      "ON CONFLICT (business_id, event_id) DO NOTHING "
      "RETURNING id, extract(epoch FROM created_at)::bigint",
      message.business_id, message.conversation_id, reply.text, reply.tool_calls_json,
      reply.sources_json, reply.prompt_tokens, reply.completion_tokens, latency_ms, message.channel,
      reply_event_id, reply.kind);
  if (rows.empty()) {
    // Stored by a concurrent attempt: send what it stored, so every copy carries the same text.
    rows = db::Exec(
        tx,
        "SELECT id, extract(epoch FROM created_at)::bigint, content, coalesce(reply_kind, 'ai'), "
        "coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0) FROM messages "
        "WHERE business_id = $1 AND event_id = $2",
        message.business_id, reply_event_id);
    tx.commit();
    return {rows.at(0)[0].as<std::string>(), rows.at(0)[2].as<std::string>(),
            rows.at(0)[3].as<std::string>(), rows.at(0)[4].as<std::int64_t>(),
            sys_seconds(std::chrono::seconds(rows.at(0)[1].as<std::int64_t>()))};
  }
  if (reply.needs_human) {
    db::Exec(tx, "UPDATE conversations SET needs_human = true WHERE business_id = $1 AND id = $2",
             message.business_id, message.conversation_id);
  }
  tx.commit();
  return {rows[0][0].as<std::string>(), reply.text, reply.kind,
          static_cast<std::int64_t>(reply.prompt_tokens) + reply.completion_tokens,
          sys_seconds(std::chrono::seconds(rows[0][1].as<std::int64_t>()))};
}

std::vector<Header> RecordHeaders(const std::string& event_id, std::string_view schema,
                                  const ResolvedMessage& message) {
  return {{"event-id", event_id},
          {"schema", std::string(schema)},
          {"tenant", message.business_id},
          {"trace-id", message.trace_id}};
}

void Emit(const AgentDependencies& deps, const ResolvedMessage& message, const StoredReply& reply) {
  const auto records = ReplyRecords(message, reply);
  if (const auto error = deps.producer.ProduceAndWait(records)) {
    throw RetryableError("producing the reply failed: " + error->message);
  }
}

std::string RequiredString(const rapidjson::Value& object, const char* name, Error& error) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    if (error.message.empty()) error.message = std::string("missing or empty field ") + name;
    return "";
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::string OptionalString(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

}  // namespace

Result<ResolvedMessage> ParseResolvedMessage(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Error{"messages.resolved value is not a JSON object", false};
  }
  Error error;
  ResolvedMessage message;
  message.business_id = RequiredString(document, "business_id", error);
  message.customer_id = RequiredString(document, "customer_id", error);
  message.conversation_id = RequiredString(document, "conversation_id", error);
  message.message_id = RequiredString(document, "message_id", error);
  message.channel = RequiredString(document, "channel", error);
  message.channel_account_id = RequiredString(document, "channel_account_id", error);
  message.sender_id = RequiredString(document, "sender_id", error);
  if (!error.message.empty()) return Error{"messages.resolved: " + error.message, false};
  message.event_id = OptionalString(document, "event_id");
  message.platform_message_id = OptionalString(document, "platform_message_id");
  message.type = OptionalString(document, "type");
  message.text = OptionalString(document, "text");
  message.trace_id = OptionalString(document, "trace_id");
  const auto standby = document.FindMember("standby");
  message.standby =
      standby != document.MemberEnd() && standby->value.IsBool() && standby->value.GetBool();
  return message;
}

AgentSettings AgentSettings::FromEnvironment() {
  AgentSettings settings;
  const std::string rank = EnvOr("RETRIEVAL_MIN_RANK", "");
  if (!rank.empty()) {
    try {
      std::size_t used = 0;
      settings.retrieval_min_rank = std::stod(rank, &used);
      if (used != rank.size() || settings.retrieval_min_rank < 0) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw ConfigError("RETRIEVAL_MIN_RANK must be a non-negative number");
    }
  }
  settings.max_tool_steps =
      static_cast<int>(EnvInt("AGENT_MAX_TOOL_STEPS", settings.max_tool_steps));
  settings.history_limit =
      static_cast<int>(EnvInt("AGENT_HISTORY_MESSAGES", settings.history_limit));
  settings.passage_limit =
      static_cast<int>(EnvInt("AGENT_KNOWLEDGE_PASSAGES", settings.passage_limit));
  const auto excerpt = EnvInt("RETRIEVAL_EXCERPT_BYTES",
                              static_cast<std::int64_t>(settings.retrieval_excerpt_bytes));
  if (settings.max_tool_steps < 0 || settings.history_limit < 0 || settings.passage_limit < 1 ||
      excerpt < 40) {
    throw ConfigError(
        "AGENT_MAX_TOOL_STEPS, AGENT_HISTORY_MESSAGES must be >= 0, AGENT_KNOWLEDGE_PASSAGES >= 1, "
        "RETRIEVAL_EXCERPT_BYTES >= 40");
  }
  settings.retrieval_excerpt_bytes = static_cast<std::size_t>(excerpt);
  return settings;
}

std::vector<OutboundRecord> ReplyRecords(const ResolvedMessage& message, const StoredReply& reply) {
  const std::string reply_event_id = EventIdFor({kRepliesTopic, message.message_id});
  const std::string usage_event_id = EventIdFor({kUsageTopic, "reply", message.message_id});
  const std::string key =
      message.channel + ":" + message.channel_account_id + ":" + message.sender_id;

  rapidjson::StringBuffer reply_buffer;
  JsonWriter writer(reply_buffer);
  writer.StartObject();
  WriteField(writer, "event_id", reply_event_id);
  WriteField(writer, "schema", "replies.outbound/1");
  WriteField(writer, "business_id", message.business_id);
  WriteField(writer, "customer_id", message.customer_id);
  WriteField(writer, "conversation_id", message.conversation_id);
  WriteField(writer, "message_id", reply.message_id);
  WriteField(writer, "in_reply_to", message.message_id);
  WriteField(writer, "channel", message.channel);
  WriteField(writer, "channel_account_id", message.channel_account_id);
  WriteField(writer, "recipient_id", message.sender_id);
  if (!message.platform_message_id.empty()) {
    WriteField(writer, "reply_to_platform_message_id", message.platform_message_id);
  }
  WriteField(writer, "text", reply.content);
  WriteField(writer, "kind", reply.kind);
  WriteField(writer, "trace_id", message.trace_id);
  writer.EndObject();

  rapidjson::StringBuffer usage_buffer;
  JsonWriter usage(usage_buffer);
  usage.StartObject();
  WriteField(usage, "event_id", usage_event_id);
  WriteField(usage, "schema", "usage.events/1");
  WriteField(usage, "business_id", message.business_id);
  WriteField(usage, "kind", "reply");
  // The reply's creation time, so a re-emitted event is byte-for-byte the same.
  WriteField(usage, "occurred_at",
             FormatUtcMillis(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 reply.created_at.time_since_epoch())
                                 .count()));
  usage.Key("messages");
  usage.Int64(1);
  usage.Key("llm_tokens");
  usage.Int64(reply.llm_tokens);
  usage.Key("voice_seconds");
  usage.Int64(0);
  WriteField(usage, "trace_id", message.trace_id);
  usage.EndObject();

  return {
      {std::string(kRepliesTopic), key,
       std::string(reply_buffer.GetString(), reply_buffer.GetSize()),
       RecordHeaders(reply_event_id, "replies.outbound/1", message)},
      {std::string(kUsageTopic), message.business_id,
       std::string(usage_buffer.GetString(), usage_buffer.GetSize()),
       RecordHeaders(usage_event_id, "usage.events/1", message)},
  };
}

Outcome AnswerTurn(const AgentDependencies& deps, const ConsumedRecord& record) {
  const auto started = std::chrono::steady_clock::now();
  auto parsed = ParseResolvedMessage(record.value);
  if (!parsed.ok()) return Outcome::DeadLetter(parsed.error().message);
  ResolvedMessage message = std::move(parsed).value();
  if (const auto trace = FindHeader(record.headers, "trace-id"); trace && !trace->empty()) {
    message.trace_id = std::string(*trace);
  }
  // A standby message belongs to another app's thread; a reaction is not something to answer.
  if (message.standby || message.type == "reaction") {
    Log(LogLevel::kInfo, "nothing to answer",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"reason", message.standby ? "standby" : "reaction"}});
    return Outcome::Done();
  }
  const std::string reply_event_id = EventIdFor({kRepliesTopic, message.message_id});
  const sys_seconds now = deps.now();

  TurnQuery query{message.business_id,
                  message.customer_id,
                  message.conversation_id,
                  message.message_id,
                  message.text,
                  reply_event_id,
                  now,
                  deps.settings.history_limit,
                  deps.settings.passage_limit};
  TurnContext context;
  try {
    context = LoadTurnContext(deps.pool, query);
  } catch (const MissingTurnData& e) {
    return Outcome::DeadLetter(e.what());
  }

  if (context.existing_reply) {
    Log(LogLevel::kInfo, "reply stored before; re-emitting it",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"reply_event_id", reply_event_id}});
    Emit(deps, message, *context.existing_reply);
    return Outcome::Done();
  }
  if (context.conversation_status == "HANDED_OFF") {
    Log(LogLevel::kInfo, "conversation handed off to a person; no AI reply",
        {{"event_id", message.event_id},
         {"trace_id", message.trace_id},
         {"conversation_id", message.conversation_id}});
    return Outcome::Done();
  }

  TurnReply reply;
  const auto& limit = context.business.monthly_message_limit;
  if (limit && context.messages_this_month >= *limit) {
    reply = LimitReply(context.business);
  } else if (deps.llm == nullptr) {
    reply = AnswerFromKnowledge(deps.settings, context);
  } else {
    reply = AnswerWithLlm(deps, message, context, now);
  }
  const auto latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();

  const StoredReply stored =
      StoreReply(deps.pool, message, reply_event_id, reply, static_cast<std::int64_t>(latency_ms));
  Emit(deps, message, stored);
  Log(LogLevel::kInfo, "replied",
      {{"event_id", message.event_id},
       {"trace_id", message.trace_id},
       {"reply_event_id", reply_event_id},
       {"kind", stored.kind},
       {"latency_ms", static_cast<std::int64_t>(latency_ms)},
       {"llm_tokens", stored.llm_tokens}});
  return Outcome::Done();
}

}  // namespace switchboard::agent
