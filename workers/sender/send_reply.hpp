#pragma once

#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"
#include "common/stage_runtime.hpp"
#include "common/token_cipher.hpp"
#include "common/topics/replies_outbound.hpp"
#include "workers/sender/graph_client.hpp"
#include "workers/sender/rate_limiter.hpp"

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
/// Database failures throw (the runtime retries the record).
class ReplySender final {
 public:
  /// Uses `pool` (the application role), `cipher` for the integration's token, `graph` to send
  /// and `limiter` to pace; all must outlive the sender.
  ReplySender(db::ConnectionPool& pool, const TokenCipher& cipher, const GraphClient& graph,
              RateLimiter& limiter)
      : pool_(pool), cipher_(cipher), graph_(graph), limiter_(limiter) {}

  /// Handles one replies.outbound record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  struct Claim;
  Claim ClaimSend(const Reply& reply);
  void RecordPart(const Reply& reply, std::size_t index, std::size_t total,
                  const SendResult& result);
  void ReleaseClaim(const Reply& reply, const SendResult& result);
  void RecordOutcome(const Reply& reply, std::string_view state, const SendResult& result);

  db::ConnectionPool& pool_;
  const TokenCipher& cipher_;
  const GraphClient& graph_;
  RateLimiter& limiter_;
};

}  // namespace switchboard::sender
