#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/db_pool.hpp"
#include "common/token_cipher.hpp"
#include "common/topics/replies_outbound.hpp"
#include "workers/sender/graph_client.hpp"

namespace switchboard::sender {

/// The text a send problem is recorded and dead-lettered with: the reason, then ": detail" when
/// there is a detail.
std::string DescribeProblem(const SendResult& result);

/// What claiming a reply's send state decided (SendStateStore::Claim).
struct SendClaim {
  enum class Kind {
    kSend,     ///< claimed as 'sending': send from part parts_sent on with token
    kDecided,  ///< already sent, failed or unknown (state says which): nothing changed
    kCutOff,   ///< found 'sending', a cut-off send: now 'unknown', message too, conversation
               ///< flagged
    kFailed,   ///< cannot be sent (failure says why): now 'failed', message too, conversation
               ///< flagged
  };
  Kind kind = Kind::kDecided;
  std::string state;           ///< kDecided: the state found
  std::size_t parts_sent = 0;  ///< kSend: parts the platform already confirmed
  std::string token;           ///< kSend: the integration's decrypted access token
  SendResult failure;          ///< kFailed: why
};

/// The sender's SQL on the reply path: the send_states row per (business, reply event) and what
/// it moves (the message's status and platform id, the conversation's needs_human). States go
/// pending → sending → sent / failed / unknown. Each call is its own committed db::TenantWork
/// scoped to the reply's business; database failures propagate as pqxx errors (the stage
/// retries the record).
class SendStateStore final {
 public:
  /// Uses `pool` (the application role) and `cipher` for the integration's token; both must
  /// outlive the store.
  SendStateStore(db::ConnectionPool& pool, const TokenCipher& cipher)
      : pool_(pool), cipher_(cipher) {}

  /// In one transaction: creates the reply's send state as 'pending' or locks the existing one,
  /// and looks up the integration of the reply's channel account (resolve_integration).
  /// - 'sending' found: a previous attempt stopped mid-send, so it is recorded as 'unknown'
  ///   (RecordOutcome's writes, reason interrupted_send) and committed: kCutOff.
  /// - 'sent', 'failed' or 'unknown' found: nothing written: kDecided.
  /// - 'pending' without an active integration of the reply's business, without a token or with
  ///   a token `cipher` cannot read: recorded as 'failed' (reason no_integration, no_token or
  ///   token_unreadable) and committed: kFailed.
  /// - otherwise: 'sending' with attempts + 1, committed before any part is sent: kSend with the
  ///   parts already sent and the token.
  SendClaim Claim(const topics::Reply& reply);

  /// Records that part `index` of `total` was sent with `result`: parts_sent = index + 1,
  /// committed; the first platform id on the send state and the message; with the last part,
  /// 'sent' on the send state and on the message unless the message is already sent, delivered
  /// or read.
  void RecordPart(const topics::Reply& reply, std::size_t index, std::size_t total,
                  const SendResult& result);

  /// Puts a claimed ('sending') send state back to 'pending' with `result` as its last error:
  /// the platform refused the request, so the next attempt may send.
  void ReleaseClaim(const topics::Reply& reply, const SendResult& result);

  /// Records the decided outcome `state` ('failed' or 'unknown') with `result` as the error: on
  /// the send state, on the message unless it is 'read', and flags the conversation for a human.
  void RecordOutcome(const topics::Reply& reply, std::string_view state, const SendResult& result);

 private:
  db::ConnectionPool& pool_;
  const TokenCipher& cipher_;
};

}  // namespace switchboard::sender
