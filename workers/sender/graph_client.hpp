#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_client.hpp"
#include "common/result.hpp"

namespace switchboard::sender {

/// Where the Meta Graph API is and how long one send may take.
struct GraphConfig {
  std::string base_url = "https://graph.facebook.com";  ///< GRAPH_BASE_URL, no trailing slash
  std::string version = "v21.0";                        ///< GRAPH_VERSION
  std::chrono::milliseconds timeout{10000};             ///< GRAPH_TIMEOUT_MS
};

/// One text message to a customer.
struct OutgoingText {
  std::string channel;             ///< "whatsapp", "messenger" or "instagram"
  std::string channel_account_id;  ///< WhatsApp phone_number_id, page id or Instagram account id
  std::string recipient_id;        ///< wa_id, PSID or IGSID
  std::string text;
  /// WhatsApp: the customer message this one answers (context.message_id); empty for none.
  std::string reply_to_platform_message_id;
};

/// What a send attempt means for the reply.
enum class SendVerdict {
  kSent,       ///< the platform accepted the message
  kTransient,  ///< refused for now (rate limit, 5xx, not connected): nothing was delivered, retry
  kPermanent,  ///< refused for good (bad recipient, 24 h window, token): do not retry
  kUnknown,    ///< the request may have reached the platform (timeout after sending): never resend
};

/// The classified answer to one send.
struct SendResult {
  SendVerdict verdict = SendVerdict::kSent;
  /// kSent: the platform's message id (wamid / mid); empty when a 2xx body carried none.
  std::string platform_message_id;
  int http_status = 0;            ///< 0 when no HTTP answer arrived
  std::optional<int> error_code;  ///< the Graph error.code, when the body had one
  std::string reason;             ///< short machine reason, e.g. "outside_24h_window"
  std::string detail;             ///< the platform's or transport's message, for people
  std::optional<std::chrono::seconds> retry_after;  ///< the Retry-After hint of a refusal
  std::string fbtrace_id;                           ///< Meta's trace id, for support requests

  /// {"reason","code"?,"http_status"?,"message","fbtrace_id"?} as JSON text (messages.error).
  std::string ErrorJson() const;
};

/// The HTTP request that sends `message` with `access_token` (WhatsApp:
/// POST {base}/{version}/{phone_number_id}/messages; Messenger and Instagram:
/// POST {base}/{version}/me/messages). Throws std::invalid_argument for another channel.
HttpClientRequest BuildSendRequest(const GraphConfig& config, const OutgoingText& message,
                                   std::string_view access_token);

/// Classifies an HTTP answer of `channel`'s send endpoint: 2xx is kSent (WhatsApp
/// messages[0].id, Messenger/Instagram message_id); otherwise the Graph error.code decides
/// (130429, 131056, 4, 80007, 131000, 131016, 2, 613 are transient), then the status (429, 5xx and
/// 408 transient, other 4xx permanent). WhatsApp 131047 is permanent, reason "outside_24h_window".
SendResult ClassifySendResponse(std::string_view channel, const HttpClientResponse& response);

/// Classifies an HttpFetch failure by `error.request_written` alone: a request of which no byte
/// was sent (bad request, resolve, connect, TLS handshake, a write that sent nothing) delivered
/// nothing and is kTransient, reason "not_connected", even when not retryable (a bad URL or
/// certificate is a configuration fault a fix clears); one that was sent in part or in full (a
/// timeout or hang-up while waiting for the answer included) may have reached the platform and
/// is kUnknown, reason "outcome_unknown".
SendResult ClassifyTransportError(const HttpError& error);

/// Sends texts through the Graph API over HttpFetch. Thread-safe (HttpFetch keeps per-thread
/// connections); never logs the token.
class GraphClient final {
 public:
  /// A client for the API at `config`.
  explicit GraphClient(GraphConfig config) : config_(std::move(config)) {}

  /// Sends one text and classifies the outcome; never throws for network or platform errors.
  SendResult SendText(const OutgoingText& message, std::string_view access_token) const;

 private:
  GraphConfig config_;
};

}  // namespace switchboard::sender
