#include "ingest/meta_routes.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>

#include "common/dead_letter.hpp"
#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/log.hpp"
#include "common/query_string.hpp"
#include "ingest/meta_signature.hpp"
#include "ingest/meta_webhook.hpp"
#include "ingest/request_ids.hpp"

namespace switchboard::ingest {

namespace asio = boost::asio;
namespace http = boost::beast::http;

struct IngestRoutes::Metrics {
  explicit Metrics(std::shared_ptr<prometheus::Registry> shared)
      : registry(std::move(shared)),
        requests(prometheus::BuildCounter()
                     .Name("switchboard_http_requests_total")
                     .Help("HTTP requests answered, by route and status")
                     .Register(*registry)),
        ack_latency(
            prometheus::BuildHistogram()
                .Name("switchboard_ingest_ack_latency_seconds")
                .Help("From a delivery's arrival to the broker's acknowledgement of all "
                      "its records")
                .Register(*registry)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                                 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                                 2.5, 5})),
        queue_depth(prometheus::BuildGauge()
                        .Name("switchboard_producer_queue_depth")
                        .Help("Records handed to the producer and not yet acknowledged or failed")
                        .Register(*registry)
                        .Add({})),
        produced(prometheus::BuildCounter()
                     .Name("switchboard_records_produced_total")
                     .Help("Records the broker acknowledged, by topic")
                     .Register(*registry)),
        failed(prometheus::BuildCounter()
                   .Name("switchboard_records_failed_total")
                   .Help("Records the broker did not acknowledge in time, by topic")
                   .Register(*registry)) {}

  // Owned here too: a delivery report can arrive after the routes are gone (the producer's
  // final flush), and its callback still counts into these metrics.
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Histogram& ack_latency;
  prometheus::Gauge& queue_depth;
  prometheus::Family<prometheus::Counter>& produced;
  prometheus::Family<prometheus::Counter>& failed;
};

namespace {

constexpr std::string_view kMetaPath = "/webhooks/meta";

bool EqualConstantTime(std::string_view a, std::string_view b) {
  return ConstantTimeEqual({reinterpret_cast<const unsigned char*>(a.data()), a.size()},
                           {reinterpret_cast<const unsigned char*>(b.data()), b.size()});
}

}  // namespace

IngestRoutes::IngestRoutes(IngestSettings settings, ProduceFunction produce, OpsProbe ops)
    : settings_(std::move(settings)),
      produce_(std::move(produce)),
      ops_(std::move(ops)),
      metrics_(std::make_shared<Metrics>(ops_.registry)) {}

IngestRoutes::~IngestRoutes() = default;

void IngestRoutes::Mount(std::string path, RouteHandler handler) {
  mounted_.emplace_back(std::move(path), std::move(handler));
}

asio::awaitable<HttpResponse> IngestRoutes::Handle(HttpRequest request) {
  std::string route = "other";
  HttpResponse response = co_await Route(request, route);
  metrics_->requests.Add({{"route", route}, {"status", std::to_string(response.result_int())}})
      .Increment();
  co_return response;
}

asio::awaitable<HttpResponse> IngestRoutes::Route(const HttpRequest& request, std::string& route) {
  const std::string_view path = TargetPath(request.target());
  if (path == kMetaPath) {
    route = kMetaPath;
    if (request.method() == http::verb::get) co_return VerifySubscription(request);
    if (request.method() == http::verb::post) co_return co_await AcceptDelivery(request);
    HttpResponse response =
        MakeResponse(request, http::status::method_not_allowed, "use GET or POST\n");
    response.set(http::field::allow, "GET, POST");
    co_return response;
  }
  for (const auto& [mounted_path, handler] : mounted_) {
    if (path == mounted_path) {
      route = mounted_path;
      co_return co_await handler(request);
    }
  }
  route = std::string(path);
  if (auto response = OpsResponse(request, ops_)) co_return std::move(*response);
  route = "other";
  co_return MakeResponse(request, http::status::not_found, "not found\n");
}

HttpResponse IngestRoutes::VerifySubscription(const HttpRequest& request) const {
  const auto mode = QueryParameter(request.target(), "hub.mode");
  const auto token = QueryParameter(request.target(), "hub.verify_token");
  const auto challenge = QueryParameter(request.target(), "hub.challenge");
  if (mode == "subscribe" && token && challenge &&
      EqualConstantTime(*token, settings_.meta_verify_token)) {
    return MakeResponse(request, http::status::ok, *challenge);
  }
  Log(LogLevel::kWarning, "meta subscription verification refused", {{"mode", mode.value_or("")}});
  return MakeResponse(request, http::status::forbidden, "verification failed\n");
}

asio::awaitable<HttpResponse> IngestRoutes::AcceptDelivery(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view body = request.body();
  const auto signature = request.find("X-Hub-Signature-256");
  if (signature == request.end() ||
      !VerifyMetaSignature(signature->value(), body, settings_.meta_app_secrets)) {
    Log(LogLevel::kWarning, "meta delivery refused: bad signature",
        {{"bytes", static_cast<std::int64_t>(body.size())},
         {"signature_present", signature == request.end() ? "no" : "yes"}});
    co_return MakeResponse(request, http::status::unauthorized, "invalid signature\n");
  }

  const DeliveryContext context{NewTraceId(), NowMillis()};
  std::vector<OutboundRecord> records{RawDeliveryRecord(body, context)};
  auto split = SplitMetaDelivery(body, context);
  if (split) {
    for (OutboundRecord& record : split.value()) records.push_back(std::move(record));
  } else {
    // A signed body we cannot read is kept (raw and dead letter) and acknowledged, so Meta stops
    // retrying a payload that will never parse, and nothing is lost.
    Log(LogLevel::kWarning, "meta delivery kept as dead letter",
        {{"trace_id", context.trace_id}, {"error", split.error().message}});
    records.push_back(
        DeadLetterRecord(records.front(), "ingest", split.error().message, context.received_at_ms));
  }

  if (!co_await ProduceAll(records)) {
    Log(LogLevel::kError, "meta delivery not acknowledged by the broker; answering 503",
        {{"trace_id", context.trace_id}, {"records", static_cast<std::int64_t>(records.size())}});
    co_return MakeResponse(request, http::status::service_unavailable, "try again later\n");
  }
  metrics_->ack_latency.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  co_return MakeResponse(request, http::status::ok, "EVENT_RECEIVED");
}

asio::awaitable<bool> IngestRoutes::ProduceAll(const std::vector<OutboundRecord>& records) {
  // The timer doubles as the waiter: it expires at the deadline, and the last acknowledgement
  // (or the first failure) cancels it from the producer's thread through the connection's strand.
  struct Batch {
    explicit Batch(asio::any_io_executor executor, std::size_t count)
        : timer(std::move(executor)), pending(count) {}
    asio::steady_timer timer;
    std::atomic<std::size_t> pending;
    std::atomic<bool> failed{false};
  };
  auto batch = std::make_shared<Batch>(co_await asio::this_coro::executor, records.size());
  batch->timer.expires_after(settings_.ack_timeout);
  for (const OutboundRecord& record : records) {
    metrics_->queue_depth.Increment();
    produce_(record,
             [batch, metrics = metrics_, topic = record.topic](const std::optional<Error>& error) {
               metrics->queue_depth.Decrement();
               (error ? metrics->failed : metrics->produced).Add({{"topic", topic}}).Increment();
               if (error) {
                 Log(LogLevel::kWarning, "record not acknowledged",
                     {{"topic", topic}, {"error", error->message}});
                 batch->failed = true;
               }
               if (--batch->pending == 0 || error) {
                 asio::post(batch->timer.get_executor(), [batch] { batch->timer.cancel(); });
               }
             });
  }
  // Cancelled (all acknowledged, or one failed) or expired: the counters tell which.
  boost::system::error_code ignored;
  co_await batch->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  co_return batch->pending == 0 && !batch->failed;
}

}  // namespace switchboard::ingest
