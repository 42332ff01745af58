#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/backoff.hpp"
#include "common/kafka_record.hpp"
#include "common/result.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard {

class KafkaProducer;

/// Thrown by a handler for a failure that may pass (database down, upstream 5xx/429): the
/// runtime retries the record with backoff and holds its key. Any other std::exception sends the
/// record to the dead-letter topic.
class RetryableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a stage handler decided about one record.
struct Outcome {
  enum class Kind {
    kDone,        ///< the record's effects are durable; it may be committed
    kRetry,       ///< transient failure: run it again later, later records of its key wait
    kDeadLetter,  ///< permanent failure: write it to "<topic>.dlq" and move on
  };

  Kind kind = Kind::kDone;
  std::string error;  ///< why, for Retry and DeadLetter

  /// The record is done.
  static Outcome Done() { return {}; }
  /// Run the record again after a backoff, holding its key.
  static Outcome Retry(std::string error) { return {Kind::kRetry, std::move(error)}; }
  /// Dead-letter the record with `error`.
  static Outcome DeadLetter(std::string error) { return {Kind::kDeadLetter, std::move(error)}; }
  /// Retry when `error.retryable`, otherwise DeadLetter.
  static Outcome FromError(const Error& error) {
    return error.retryable ? Retry(error.message) : DeadLetter(error.message);
  }
};

/// A stage's work for one record. Synchronous (it may block on the database or HTTP); runs on a
/// worker thread, concurrently with other keys, never concurrently with its own key. It must
/// make its effects idempotent: a record can be delivered again after a crash or rebalance.
using RecordHandler = std::function<Outcome(const ConsumedRecord& record)>;

/// The Outcome of an exception a handler threw: RetryableError, pqxx::broken_connection,
/// pqxx::transaction_rollback (serialization failure, deadlock), pqxx::in_doubt_error and
/// pqxx::insufficient_resources retry; every other exception dead-letters with its message.
Outcome OutcomeOfException(const std::exception_ptr& error);

/// Runs a stage: consumes its input topics in a consumer group and calls the handler for each
/// record on a pool of worker threads, with at-least-once delivery and per-key order.
/// - Many records run at once; records of one key (partition + Kafka key) run one at a time in
///   offset order. At most `max_in_flight` records run at once; up to 8 * max_in_flight + 64 are
///   held (running, ready, waiting for their key or for a retry), then the partitions pause until
///   the held records are down to 4 * max_in_flight + 32.
/// - Offsets are committed periodically and on revoke/stop, only up to the first unfinished
///   record of each partition.
/// - Retry: exponential backoff with full jitter, forever unless `retry_max_attempts` > 0 (then
///   the record is dead-lettered after that many attempts). A database that is down must not turn
///   records into dead letters, hence the default 0.
/// - DeadLetter: the envelope of common/dead_letter.hpp goes to "<topic>.dlq"; the record is done
///   only after the broker acknowledged it; a failed dead-letter write is retried with backoff.
class StageRuntime final {
 public:
  struct Options {
    std::string stage;                ///< metric label and log component, e.g. "resolver"
    std::vector<std::string> topics;  ///< input topics
    std::string brokers;
    std::string group_id;    ///< empty: "switchboard-<stage>"
    int max_in_flight = 64;  ///< records running at once: the number of worker threads
    std::chrono::milliseconds commit_interval{1000};
    BackoffPolicy retry;
    int retry_max_attempts = 0;  ///< 0: retry transient failures forever
    /// How long Stop() and a revoke wait for running records; the rest are abandoned uncommitted.
    std::chrono::milliseconds drain_timeout{10000};
    /// librdkafka statistics (consumer lag, group state) period.
    std::chrono::milliseconds statistics_interval{5000};
    /// Cooperative (incremental): a member joining or leaving moves only the partitions that
    /// change owner; the others go on being handled through the rebalance.
    std::string assignment_strategy = "cooperative-sticky";
    std::chrono::milliseconds session_timeout{45000};
    /// librdkafka debug contexts for the consumer (e.g. "cgrp,fetch"); empty: off.
    std::string kafka_debug;
  };

  /// Creates the consumer (subscribed, not yet polling), the worker threads and the metrics in
  /// `registry`. `dead_letters` must outlive the runtime; `random` draws the retry jitter.
  /// Throws ConfigError when the options or librdkafka's configuration are invalid.
  StageRuntime(Options options, RecordHandler handler, KafkaProducer& dead_letters,
               prometheus::Registry& registry, UniformRandom random = SystemRandom());
  /// Stops (if Run() was not called or has not returned) and waits for the worker threads,
  /// including handlers still running after the drain deadline.
  ~StageRuntime();
  StageRuntime(const StageRuntime&) = delete;
  StageRuntime& operator=(const StageRuntime&) = delete;

  /// Polls, dispatches and commits until Stop(); then drains for up to `drain_timeout`, commits
  /// what finished and leaves the group. Call once, from one thread. Throws std::runtime_error
  /// after a fatal consumer error (having committed what finished).
  void Run();

  /// Asks Run() to finish: no new records start, running ones get `drain_timeout`. Thread-safe,
  /// returns at once.
  void Stop();

  /// For /readyz: not stopping, no fatal error, and partitions assigned or the group coordinator
  /// reachable. Thread-safe.
  bool Ready() const;

  /// What Run() has done so far, for a test to wait on instead of sleeping: polls of the
  /// consumer finished (each poll's record, if any, already taken in), and how often the hold
  /// limit paused fetching and the resume mark resumed it. Thread-safe.
  struct LoopCounts {
    std::uint64_t polls = 0;
    std::uint64_t pauses = 0;
    std::uint64_t resumes = 0;
  };
  LoopCounts Counts() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard
