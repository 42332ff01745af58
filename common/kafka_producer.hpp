#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace RdKafka {
class Producer;
}
namespace boost::asio {
class io_context;
}
struct rd_kafka_queue_s;
struct rd_kafka_s;

namespace switchboard {

/// Called once per record from the producer's poll thread, a thread of Options::reports_on, or a
/// thread in Flush (also the destructor's): no error means every in-sync replica has the record
/// (acks=all). Must not block and must not throw.
using DeliveryCallback = std::function<void(const std::optional<Error>& error)>;

/// An idempotent (acks=all) producer. Delivery reports are served by a thread of its own, or on
/// the threads of Options::reports_on.
class KafkaProducer final {
 public:
  struct Options {
    std::string brokers;
    std::string client_id = "switchboard";
    /// A record not acknowledged within this time fails (message.timeout.ms).
    std::chrono::milliseconds delivery_timeout{10000};
    /// How long records wait to be batched (linger.ms). 0 sends at once: a stage handler
    /// produces its record and waits for the acknowledgement, so a wait for company only adds
    /// to every hop (pipeline_bench at 100 msg/s: p50 10.2 ms with 1 ms, 7.4 ms with 0); under
    /// load records still share requests while earlier ones are in flight. Ingest sets its own.
    std::chrono::milliseconds linger{0};
    /// When set, delivery reports run on this io_context's threads: librdkafka signals when
    /// reports are queued, and a handler posted to `reports_on` serves them. Without it a
    /// thread of the producer's own waits for them, and every report crosses one more thread.
    /// `reports_on` must outlive the producer and must not run after it is destroyed.
    boost::asio::io_context* reports_on = nullptr;
  };

  /// Throws ConfigError when librdkafka refuses the configuration.
  explicit KafkaProducer(const Options& options);
  /// Flushes for up to the delivery timeout and logs how many records were left.
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  /// Queues a record; `on_delivery` runs exactly once, immediately when it cannot be queued.
  void Produce(const OutboundRecord& record, DeliveryCallback on_delivery);

  /// Produces every record and blocks until all are acknowledged or one failed (the first
  /// error is returned; records after a failure may still have been written).
  std::optional<Error> ProduceAndWait(std::span<const OutboundRecord> records);

  /// Waits until the queue is empty or `timeout` passed; returns the records still queued.
  int Flush(std::chrono::milliseconds timeout);

  /// Records queued or in flight to the broker.
  int QueueLength() const;

  /// Whether a broker answered a metadata request within `timeout`.
  bool BrokerReachable(std::chrono::milliseconds timeout) const;

 private:
  class DeliveryReporter;
  static void OnReportsQueued(rd_kafka_s* handle, void* self);

  Options options_;
  std::unique_ptr<DeliveryReporter> reporter_;
  std::unique_ptr<RdKafka::Producer> producer_;
  rd_kafka_queue_s* reports_ = nullptr;  // with reports_on: the queue whose reports it serves
  std::atomic<bool> stopping_{false};
  std::thread poller_;  // last: it uses producer_ (only without reports_on)
};

}  // namespace switchboard
