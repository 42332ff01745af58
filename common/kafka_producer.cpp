#include "common/kafka_producer.hpp"

#include <librdkafka/rdkafka.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>

#include "common/config.hpp"
#include "common/kafka_conf.hpp"
#include "common/log.hpp"

namespace switchboard {

class KafkaProducer::DeliveryReporter final : public RdKafka::DeliveryReportCb,
                                              public RdKafka::EventCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    // Ownership of the callback came back from librdkafka with the report.
    std::unique_ptr<DeliveryCallback> callback(
        static_cast<DeliveryCallback*>(message.msg_opaque()));
    if (!callback) return;
    std::optional<Error> error;
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      error = Error{"delivery to " + message.topic_name() + " failed: " + message.errstr(), true};
    }
    try {
      (*callback)(error);
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "delivery callback threw", {{"error", e.what()}});
    }
  }

  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_ERROR) {
      Log(event.fatal() ? LogLevel::kError : LogLevel::kWarning, "kafka producer error",
          {{"error", event.str()}, {"code", RdKafka::err2str(event.err())}});
    }
  }
};

KafkaProducer::KafkaProducer(const Options& options)
    : options_(options), reporter_(std::make_unique<DeliveryReporter>()) {
  auto conf = NewKafkaConf(options.brokers, options.client_id);
  SetKafkaConf(*conf, "enable.idempotence", "true");
  SetKafkaConf(*conf, "acks", "all");
  SetKafkaConf(*conf, "message.timeout.ms", std::to_string(options.delivery_timeout.count()));
  SetKafkaConf(*conf, "linger.ms", std::to_string(options.linger.count()));
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(reporter_.get()), error) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(reporter_.get()), error) !=
          RdKafka::Conf::CONF_OK) {
    throw ConfigError("Kafka producer callbacks: " + error);
  }
  producer_.reset(RdKafka::Producer::create(conf.get(), error));
  if (!producer_) throw ConfigError("cannot create Kafka producer: " + error);
  if (options_.reports_on != nullptr) {
    reports_ = rd_kafka_queue_get_main(producer_->c_ptr());
    rd_kafka_queue_cb_event_enable(reports_, &KafkaProducer::OnReportsQueued, this);
    return;
  }
  poller_ = std::thread([this] {
    while (!stopping_.load(std::memory_order_relaxed)) producer_->poll(50);
  });
}

void KafkaProducer::OnReportsQueued(rd_kafka_t* /*handle*/, void* self) {
  // Called by a librdkafka thread when the queue of reports was empty and got one; it may not
  // call librdkafka, so the serving is posted. poll(0) serves every report queued by then; a
  // report queued later finds the queue empty again and triggers another post.
  auto* producer = static_cast<KafkaProducer*>(self);
  boost::asio::post(*producer->options_.reports_on, [producer] { producer->producer_->poll(0); });
}

KafkaProducer::~KafkaProducer() {
  if (reports_ != nullptr) {
    // From here on Flush serves the reports on this thread.
    rd_kafka_queue_cb_event_enable(reports_, nullptr, nullptr);
  }
  const int left = Flush(options_.delivery_timeout);
  if (left > 0) {
    Log(LogLevel::kError, "producer closed with unacknowledged records", {{"records", left}});
  }
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
  producer_->poll(0);
  if (reports_ != nullptr) rd_kafka_queue_destroy(reports_);
}

void KafkaProducer::Produce(const OutboundRecord& record, DeliveryCallback on_delivery) {
  auto callback = std::make_unique<DeliveryCallback>(std::move(on_delivery));
  RdKafka::Headers* headers = RdKafka::Headers::create();
  for (const Header& header : record.headers) headers->add(header.name, header.value);
  const RdKafka::ErrorCode code =
      producer_->produce(record.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                         const_cast<char*>(record.value.data()), record.value.size(),
                         record.key.data(), record.key.size(), 0, headers, callback.get());
  if (code != RdKafka::ERR_NO_ERROR) {
    delete headers;  // produce() frees the headers only when it succeeds
    (*callback)(Error{"cannot queue record for " + record.topic + ": " + RdKafka::err2str(code),
                      code == RdKafka::ERR__QUEUE_FULL});
    return;
  }
  callback.release();  // owned by librdkafka until the delivery report
}

std::optional<Error> KafkaProducer::ProduceAndWait(std::span<const OutboundRecord> records) {
  struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t pending = 0;
    std::optional<Error> first_error;
  };
  auto waiter = std::make_shared<Waiter>();
  waiter->pending = records.size();
  for (const OutboundRecord& record : records) {
    Produce(record, [waiter](const std::optional<Error>& error) {
      std::lock_guard lock(waiter->mutex);
      if (error && !waiter->first_error) waiter->first_error = error;
      if (--waiter->pending == 0) waiter->done.notify_all();
    });
  }
  std::unique_lock lock(waiter->mutex);
  waiter->done.wait(lock, [&] { return waiter->pending == 0; });
  return waiter->first_error;
}

int KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  producer_->flush(static_cast<int>(timeout.count()));
  return producer_->outq_len();
}

int KafkaProducer::QueueLength() const {
  return producer_->outq_len();
}

bool KafkaProducer::BrokerReachable(std::chrono::milliseconds timeout) const {
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode code =
      producer_->metadata(false, nullptr, &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  return code == RdKafka::ERR_NO_ERROR && metadata && !metadata->brokers()->empty();
}

}  // namespace switchboard
