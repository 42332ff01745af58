#pragma once

#include <cstdint>
#include <functional>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "common/topics/tools_requests.hpp"
#include "workers/tools/tool_call_store.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace switchboard {
class KafkaProducer;
}

namespace switchboard::tools {

/// The tools.requests handler: decodes the request (topics::ToolsRequests), and answers it on
/// tools.results (topics::ToolsResults, reply_to and correlation_id copied) with one spoken line:
/// - a tool call answered before: the stored answer again, the tool not run (voice_tool_calls);
/// - past the request's deadline_at (ingest has apologised already): an error, the tool not run;
/// - a tool that acts for the caller (NeedsCaller) on a call without an E.164 number: an error;
/// - else the agent's own tool (agent::RunTool: the same argument checks and SQL as chat) for
///   the caller's customer (the WhatsApp sender with that number, created when new) and the
///   call's voice conversation (calls::CallConversationId; opened first for send_to_human),
///   phrased by SpeakToolResult; bad arguments and unknown tools are error answers. The answer
///   is stored before it is produced, so a redelivery answers the same.
/// Outcomes: Done once the broker has the answer; DeadLetter for a malformed record or data the
/// database refuses (a business that does not exist). Counted in switchboard_tools_calls_total by
/// outcome. Database and broker failures, and a booking that lost every race, throw (retried).
class ToolCallAnswerer final {
 public:
  /// Milliseconds since the epoch, injected for tests.
  using Clock = std::function<std::int64_t()>;

  /// Runs tools on `pool` (the application role) and produces through `producer`, both of which
  /// must outlive the answerer; adds its metrics to `registry`.
  ToolCallAnswerer(db::ConnectionPool& pool, KafkaProducer& producer,
                   prometheus::Registry& registry, Clock now_ms);

  /// Handles one tools.requests record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  /// The answer to send and the outcome to count.
  struct Answered {
    StoredAnswer stored;
    const char* outcome = nullptr;
  };

  /// Decides and persists the answer to `request`, decoded at `started_ms` with its deadline
  /// `deadline_ms` (see the class comment). Throws pqxx errors and RetryableError.
  Answered Answer(const topics::ToolCallRequest& request, std::int64_t started_ms,
                  std::int64_t deadline_ms);
  /// Counts `outcome` and returns a dead letter with `reason`.
  Outcome Refuse(const char* outcome, std::string reason);

  db::ConnectionPool& pool_;
  ToolCallStore store_;
  KafkaProducer& producer_;
  Clock now_ms_;
  prometheus::Family<prometheus::Counter>& calls_;
};

}  // namespace switchboard::tools
