#pragma once

#include <utility>  // before Asio 1.18's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/http_server.hpp"
#include "common/kafka_producer.hpp"
#include "common/ops_routes.hpp"

namespace switchboard::ingest {

/// Hands one record to the broker; the callback reports its acknowledgement (KafkaProducer's
/// Produce in production, an in-memory fake in unit tests).
using ProduceFunction = std::function<void(const OutboundRecord&, DeliveryCallback)>;

struct IngestSettings {
  /// Every secret a signature may be made with (the new and the old one during a rotation).
  std::vector<std::string> meta_app_secrets;
  std::string meta_verify_token;
  /// A delivery not acknowledged by the broker within this time is answered 503.
  std::chrono::milliseconds ack_timeout{3000};
};

/// The ingest service's routes: Meta's webhook (verification and deliveries), the routes mounted
/// (Vapi's), and the ops routes.
class IngestRoutes final {
 public:
  /// Answers the requests of one mounted path.
  using RouteHandler = std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&)>;

  IngestRoutes(IngestSettings settings, ProduceFunction produce, OpsProbe ops);
  ~IngestRoutes();

  /// Serves `path` with `handler` (counted in the request metrics under that route); call before
  /// the first request.
  void Mount(std::string path, RouteHandler handler);

  /// Answers one request; a delivery is answered 200 only once the broker holds every record.
  boost::asio::awaitable<HttpResponse> Handle(HttpRequest request);

  /// Hands every record to the broker; true once all are acknowledged, false when one failed or
  /// the acknowledgements did not all come within the ack timeout.
  boost::asio::awaitable<bool> ProduceAll(const std::vector<OutboundRecord>& records);

 private:
  struct Metrics;

  boost::asio::awaitable<HttpResponse> Route(const HttpRequest& request, std::string& route);
  HttpResponse VerifySubscription(const HttpRequest& request) const;
  boost::asio::awaitable<HttpResponse> AcceptDelivery(const HttpRequest& request);

  IngestSettings settings_;
  ProduceFunction produce_;
  OpsProbe ops_;
  std::vector<std::pair<std::string, RouteHandler>> mounted_;
  std::shared_ptr<Metrics> metrics_;  // shared with delivery callbacks that may outlive a request
};

}  // namespace switchboard::ingest
