#include "workers/sender/send_state_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::sender {
namespace {

SendResult Problem(std::string reason, std::string detail) {
  SendResult result;
  result.reason = std::move(reason);
  result.detail = std::move(detail);
  return result;
}

/// Records a decided outcome in `tx`: send state `state` ('failed' or 'unknown'), the message
/// with the same status and the error, and the conversation flagged for a human.
void WriteOutcome(pqxx::transaction_base& tx, const topics::Reply& reply, std::string_view state,
                  const SendResult& result) {
  db::Exec(tx,
           "UPDATE send_states SET state = $3, last_error = $4, updated_at = now() "
           "WHERE business_id = $1 AND reply_event_id = $2",
           reply.business_id, reply.event_id, std::string(state), DescribeProblem(result));
  // 'read' is final (the customer saw it), so neither failed nor unknown replaces it.
  db::Exec(tx,
           "UPDATE messages SET status = $3, error = $4::jsonb "
           "WHERE business_id = $1 AND id = $2 AND status <> 'read'",
           reply.business_id, reply.message_id, std::string(state), result.ErrorJson());
  db::Exec(tx, "UPDATE conversations SET needs_human = true WHERE business_id = $1 AND id = $2",
           reply.business_id, reply.conversation_id);
}

}  // namespace

std::string DescribeProblem(const SendResult& result) {
  std::string text = result.reason;
  if (!result.detail.empty()) text += ": " + result.detail;
  return text;
}

SendClaim SendStateStore::Claim(const topics::Reply& reply) {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, reply.business_id);
  // One round trip: the send state, created or locked (a no-op DO UPDATE locks an existing row
  // as FOR UPDATE would, and returns its latest committed state), and the integration.
  // resolve_integration is the routing lookup every stage shares; it also checks that the
  // account still belongs to the reply's tenant and is active.
  const pqxx::row state = db::Exec1(
      tx,
      "WITH claim AS ("
      "  INSERT INTO send_states (business_id, reply_event_id, message_id) VALUES ($1, $2, $3) "
      "  ON CONFLICT (business_id, reply_event_id) DO UPDATE SET state = send_states.state "
      "  RETURNING state, parts_sent) "
      "SELECT claim.state, claim.parts_sent, i.business_id::text, i.access_token_ciphertext "
      "FROM claim LEFT JOIN resolve_integration($4, $5) AS i ON true",
      reply.business_id, reply.event_id, reply.message_id, reply.channel, reply.channel_account_id);
  const std::string current = state[0].as<std::string>();
  SendClaim claim;
  if (current == "sending") {
    // The previous attempt committed 'sending' and never recorded an answer: it died between
    // the call and its bookkeeping. Sending again could duplicate; dropping would be silent.
    WriteOutcome(tx, reply, "unknown",
                 Problem("interrupted_send",
                         "a previous attempt stopped while sending; the platform may or may not "
                         "have the message"));
    tx.commit();
    claim.kind = SendClaim::Kind::kCutOff;
    return claim;
  }
  if (current != "pending") {
    claim.kind = SendClaim::Kind::kDecided;
    claim.state = current;
    return claim;
  }
  claim.parts_sent = state[1].as<std::size_t>();

  if (state[2].is_null() || state[2].as<std::string>() != reply.business_id) {
    claim.failure = Problem("no_integration", "no active " + reply.channel +
                                                  " integration of this business for account " +
                                                  reply.channel_account_id);
  } else if (state[3].is_null()) {
    claim.failure = Problem("no_token", "the integration has no access token");
  } else {
    auto token = cipher_.Decrypt(pqxx::binarystring(state[3]).str());
    if (token) {
      claim.token = std::move(*token);
    } else {
      claim.failure = Problem("token_unreadable", token.error().message);
    }
  }
  if (!claim.failure.reason.empty()) {
    WriteOutcome(tx, reply, "failed", claim.failure);
    tx.commit();
    claim.kind = SendClaim::Kind::kFailed;
    return claim;
  }

  db::Exec(tx,
           "UPDATE send_states SET state = 'sending', attempts = attempts + 1, updated_at = now() "
           "WHERE business_id = $1 AND reply_event_id = $2",
           reply.business_id, reply.event_id);
  tx.commit();
  claim.kind = SendClaim::Kind::kSend;
  return claim;
}

void SendStateStore::RecordPart(const topics::Reply& reply, std::size_t index, std::size_t total,
                                const SendResult& result) {
  const bool last = index + 1 == total;
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, reply.business_id);
  // The first part's id stands for the whole reply: statuses of that id move the message. The
  // message takes the first platform id, and 'sent' with the last part unless a delivery status
  // of the first part moved it on already. Both updates in one statement, one round trip.
  db::Exec(tx,
           "WITH part AS ("
           "  UPDATE send_states SET parts_sent = $3, "
           "  platform_message_id = COALESCE(platform_message_id, NULLIF($4, '')), "
           "  state = CASE WHEN $5 THEN 'sent' ELSE state END, last_error = NULL, "
           "  updated_at = now() "
           "  WHERE business_id = $1 AND reply_event_id = $2) "
           "UPDATE messages SET "
           "platform_message_id = COALESCE(platform_message_id, NULLIF($4, '')), "
           "status = CASE WHEN $5 AND status NOT IN ('sent', 'delivered', 'read') "
           "              THEN 'sent' ELSE status END, "
           "error = CASE WHEN $5 AND status NOT IN ('sent', 'delivered', 'read') "
           "             THEN NULL ELSE error END "
           "WHERE business_id = $1 AND id = $6 "
           "  AND ((platform_message_id IS NULL AND $4 <> '') "
           "       OR ($5 AND status NOT IN ('sent', 'delivered', 'read')))",
           reply.business_id, reply.event_id, static_cast<int>(index + 1),
           result.platform_message_id, last, reply.message_id);
  tx.commit();
}

void SendStateStore::ReleaseClaim(const topics::Reply& reply, const SendResult& result) {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, reply.business_id);
  // The platform refused the request, so nothing was delivered: the next attempt may send.
  db::Exec(tx,
           "UPDATE send_states SET state = 'pending', last_error = $3, updated_at = now() "
           "WHERE business_id = $1 AND reply_event_id = $2 AND state = 'sending'",
           reply.business_id, reply.event_id, DescribeProblem(result));
  tx.commit();
}

void SendStateStore::RecordOutcome(const topics::Reply& reply, std::string_view state,
                                   const SendResult& result) {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, reply.business_id);
  WriteOutcome(tx, reply, state, result);
  tx.commit();
}

}  // namespace switchboard::sender
