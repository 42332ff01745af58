#pragma once

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/stage_runtime.hpp"
#include "common/token_cipher.hpp"
#include "common/topics/replies_outbound.hpp"
#include "workers/sender/graph_client.hpp"
#include "workers/sender/rate_limiter.hpp"
#include "workers/sender/send_state_store.hpp"

namespace switchboard::sender {

/// A reply to send (topics::RepliesOutbound's value).
using topics::Reply;

/// The replies.outbound handler: sends each reply at most once, even when its record comes
/// again or the process dies mid-send, through a send_states row per (business, reply event):
/// - pending: claimed as 'sending' in its own committed transaction, then each part not yet
///   confirmed is sent in order (paced per account), parts_sent committed after each; all sent:
///   'sent', the platform id on send_states and on the message (status 'sent').
/// - sent / failed / unknown: already decided, Done.
/// - sending when claimed: a previous attempt stopped mid-send, so whether the platform has it
///   is unknown: 'unknown', message 'unknown', conversation flagged for a human, Done.
/// Platform answers (see ClassifySendResponse): transient → back to 'pending' and RetryableError
/// (Retry-After also pauses the account in the RateLimiter); permanent → 'failed', message
/// 'failed' with the error, conversation flagged, DeadLetter; unknown → as a cut-off send.
/// Database failures throw (the runtime retries the record). The SQL is SendStateStore's; this
/// class holds the decisions.
class ReplySender final {
 public:
  /// Uses `pool` (the application role), `cipher` for the integration's token, `graph` to send
  /// and `limiter` to pace; all must outlive the sender.
  ReplySender(db::ConnectionPool& pool, const TokenCipher& cipher, const GraphClient& graph,
              RateLimiter& limiter)
      : store_(pool, cipher), graph_(graph), limiter_(limiter) {}

  /// Handles one replies.outbound record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  SendStateStore store_;
  const GraphClient& graph_;
  RateLimiter& limiter_;
};

}  // namespace switchboard::sender
