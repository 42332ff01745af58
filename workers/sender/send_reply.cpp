#include "workers/sender/send_reply.hpp"

#include <string>
#include <vector>

#include "common/log.hpp"
#include "workers/sender/text_split.hpp"

namespace switchboard::sender {

Outcome ReplySender::Handle(const ConsumedRecord& record) {
  auto parsed = topics::RepliesOutbound::Decode(record);
  if (!parsed) {
    Log(LogLevel::kError, "malformed reply",
        {{"error", parsed.error().message},
         {"event_id", std::string(FindHeader(record.headers, "event-id").value_or(""))},
         {"trace_id", std::string(FindHeader(record.headers, "trace-id").value_or(""))}});
    return Outcome::DeadLetter(parsed.error().message);
  }
  const Reply& reply = *parsed;
  const auto limit = MaxTextLength(reply.channel);
  const std::string topic(topics::RepliesOutbound::kTopic);
  if (!limit) return Outcome::DeadLetter(topic + ": unsupported channel " + reply.channel);
  const std::vector<std::string> parts = SplitForChannel(reply.text, *limit);
  if (parts.empty()) return Outcome::DeadLetter(topic + ": the reply text is empty");

  const SendClaim claim = store_.Claim(reply);
  switch (claim.kind) {
    case SendClaim::Kind::kSend:
      break;
    case SendClaim::Kind::kDecided:
      Log(LogLevel::kDebug, "reply already handled",
          {{"event_id", reply.event_id}, {"trace_id", reply.trace_id}, {"state", claim.state}});
      return Outcome::Done();
    case SendClaim::Kind::kCutOff:
      Log(LogLevel::kWarning, "previous send was cut off; outcome unknown, conversation flagged",
          {{"event_id", reply.event_id},
           {"trace_id", reply.trace_id},
           {"business_id", reply.business_id}});
      return Outcome::Done();
    case SendClaim::Kind::kFailed:
      Log(LogLevel::kError, "reply cannot be sent",
          {{"event_id", reply.event_id},
           {"trace_id", reply.trace_id},
           {"business_id", reply.business_id},
           {"reason", claim.failure.reason}});
      return Outcome::DeadLetter(DescribeProblem(claim.failure));
  }

  const std::string account = reply.channel + ":" + reply.channel_account_id;
  for (std::size_t index = claim.parts_sent; index < parts.size(); ++index) {
    limiter_.Acquire(account);
    OutgoingText message{.channel = reply.channel,
                         .channel_account_id = reply.channel_account_id,
                         .recipient_id = reply.recipient_id,
                         .text = parts[index],
                         .reply_to_platform_message_id =
                             index == 0 ? reply.reply_to_platform_message_id : std::string()};
    const SendResult result = graph_.SendText(message, claim.token);
    switch (result.verdict) {
      case SendVerdict::kSent:
        store_.RecordPart(reply, index, parts.size(), result);
        break;
      case SendVerdict::kTransient: {
        store_.ReleaseClaim(reply, result);
        std::string hint;
        if (result.retry_after) {
          limiter_.PauseFor(account, *result.retry_after);
          hint = " (retry after " + std::to_string(result.retry_after->count()) + " s)";
        }
        Log(LogLevel::kWarning, "send refused for now",
            {{"event_id", reply.event_id},
             {"trace_id", reply.trace_id},
             {"reason", result.reason},
             {"detail", result.detail}});
        throw RetryableError("graph api: " + DescribeProblem(result) + hint);
      }
      case SendVerdict::kPermanent:
        store_.RecordOutcome(reply, "failed", result);
        Log(LogLevel::kError, "send failed",
            {{"event_id", reply.event_id},
             {"trace_id", reply.trace_id},
             {"business_id", reply.business_id},
             {"reason", result.reason},
             {"detail", result.detail}});
        return Outcome::DeadLetter("graph api: " + DescribeProblem(result));
      case SendVerdict::kUnknown:
        store_.RecordOutcome(reply, "unknown", result);
        Log(LogLevel::kWarning, "send outcome unknown; conversation flagged for a human",
            {{"event_id", reply.event_id},
             {"trace_id", reply.trace_id},
             {"business_id", reply.business_id},
             {"detail", result.detail}});
        return Outcome::Done();
    }
  }
  Log(LogLevel::kInfo, "reply sent",
      {{"event_id", reply.event_id},
       {"trace_id", reply.trace_id},
       {"parts", static_cast<std::int64_t>(parts.size())}});
  return Outcome::Done();
}

}  // namespace switchboard::sender
