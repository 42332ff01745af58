#include "common/stage_runtime.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <pqxx/except>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>

#include "common/config.hpp"
#include "common/dead_letter.hpp"
#include "common/inflight_tracker.hpp"
#include "common/kafka_consumer.hpp"
#include "common/kafka_producer.hpp"
#include "common/key_scheduler.hpp"
#include "common/log.hpp"

namespace switchboard {
namespace {

using Clock = std::chrono::steady_clock;
using Ticket = KeyScheduler::Ticket;

constexpr std::chrono::milliseconds kMaxPollWait{100};
constexpr int kMaxWorkers = 1024;

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// One fetched record the runtime holds until it is done (or its partition is given up).
struct Task {
  Ticket ticket = 0;
  ConsumedRecord record;
  RecordKey key;
  int attempts = 0;              // handler runs so far
  int dead_letter_failures = 0;  // failed dead-letter writes so far
  std::int64_t first_failure_ms = 0;
  std::int64_t last_failure_ms = 0;
  std::optional<std::string> dead_letter_error;  // set: the next run writes the dead letter
  bool running = false;                          // guarded by the runtime's mutex
};

/// How one run of a task ended.
enum class RunResult { kDone, kRetry, kDeadLettered, kDeadLetterFailed };

/// Counters of one input topic.
struct TopicMetrics {
  prometheus::Counter* processed = nullptr;
  prometheus::Counter* failed = nullptr;
  prometheus::Counter* retried = nullptr;
  prometheus::Counter* dead_lettered = nullptr;
  prometheus::Histogram* seconds = nullptr;
};

}  // namespace

Outcome OutcomeOfException(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const RetryableError& e) {
    return Outcome::Retry(e.what());
  } catch (const pqxx::broken_connection& e) {
    return Outcome::Retry(std::string("database connection: ") + e.what());
  } catch (const pqxx::transaction_rollback& e) {
    return Outcome::Retry(std::string("database rollback: ") + e.what());
  } catch (const pqxx::in_doubt_error& e) {
    return Outcome::Retry(std::string("database commit in doubt: ") + e.what());
  } catch (const pqxx::insufficient_resources& e) {
    return Outcome::Retry(std::string("database resources: ") + e.what());
  } catch (const std::exception& e) {
    return Outcome::DeadLetter(e.what());
  } catch (...) {
    return Outcome::DeadLetter("handler threw a non-standard exception");
  }
}

class StageRuntime::Impl {
 public:
  Impl(Options options, RecordHandler handler, KafkaProducer& dead_letters,
       prometheus::Registry& registry, UniformRandom random)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        dead_letters_(dead_letters),
        random_(std::move(random)),
        processed_(prometheus::BuildCounter()
                       .Name("switchboard_records_processed_total")
                       .Help("Records a stage handler finished successfully")
                       .Register(registry)),
        failed_(prometheus::BuildCounter()
                    .Name("switchboard_records_failed_total")
                    .Help("Handler runs that failed transiently (the record will be retried)")
                    .Register(registry)),
        retried_(prometheus::BuildCounter()
                     .Name("switchboard_records_retried_total")
                     .Help("Runs of a record after a failed run (handler or dead-letter write)")
                     .Register(registry)),
        dead_lettered_(prometheus::BuildCounter()
                           .Name("switchboard_records_dead_lettered_total")
                           .Help("Records written to their dead-letter topic")
                           .Register(registry)),
        seconds_(prometheus::BuildHistogram()
                     .Name("switchboard_record_processing_seconds")
                     .Help("Time of one handler run")
                     .Register(registry)),
        in_flight_family_(prometheus::BuildGauge()
                              .Name("switchboard_records_in_flight")
                              .Help("Records held: running, waiting for their key or a retry")
                              .Register(registry)),
        lag_(prometheus::BuildGauge()
                 .Name("switchboard_consumer_lag")
                 .Help("High watermark minus committed offset, per assigned partition")
                 .Register(registry)),
        in_flight_(in_flight_family_.Add({{"stage", options_.stage}})) {
    if (options_.stage.empty()) throw ConfigError("StageRuntime: the stage name is empty");
    if (options_.topics.empty()) throw ConfigError("StageRuntime: no input topics");
    if (options_.max_in_flight < 1 || options_.max_in_flight > kMaxWorkers) {
      throw ConfigError("MAX_IN_FLIGHT must be between 1 and " + std::to_string(kMaxWorkers));
    }
    if (!handler_) throw ConfigError("StageRuntime: no handler");
    if (!random_) random_ = SystemRandom();
    if (options_.group_id.empty()) options_.group_id = "switchboard-" + options_.stage;
    static const prometheus::Histogram::BucketBoundaries kBuckets{
        0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    for (const std::string& topic : options_.topics) {
      const std::map<std::string, std::string> labels{{"stage", options_.stage}, {"topic", topic}};
      metrics_[topic] =
          TopicMetrics{&processed_.Add(labels), &failed_.Add(labels), &retried_.Add(labels),
                       &dead_lettered_.Add(labels), &seconds_.Add(labels, kBuckets)};
    }
    KafkaConsumer::Options consumer_options{
        .brokers = options_.brokers,
        .group_id = options_.group_id,
        .client_id = "switchboard-" + options_.stage,
        .topics = options_.topics,
        .assignment_strategy = options_.assignment_strategy,
        .session_timeout = options_.session_timeout,
        .statistics_interval = options_.statistics_interval,
        .debug = options_.kafka_debug,
    };
    workers_.reserve(static_cast<std::size_t>(options_.max_in_flight));
    for (int i = 0; i < options_.max_in_flight; ++i) workers_.emplace_back([this] { Work(); });
    try {
      consumer_ = std::make_unique<KafkaConsumer>(
          consumer_options,
          KafkaConsumer::RebalanceListener{
              [this](const std::vector<TopicPartition>& partitions) { Assigned(partitions); },
              [this](const std::vector<TopicPartition>& partitions, bool lost) {
                Revoke(partitions, lost);
              }});
    } catch (...) {
      JoinWorkers();
      throw;
    }
  }

  ~Impl() {
    Stop();
    if (!ran_) {
      // Run() never drained: leave the group cleanly before the workers go.
      Shutdown();
    }
    JoinWorkers();
  }

  void Run() {
    if (ran_.exchange(true)) throw std::logic_error("StageRuntime::Run called twice");
    Log(LogLevel::kInfo, "stage consuming",
        {{"stage", options_.stage},
         {"group", options_.group_id},
         {"max_in_flight", options_.max_in_flight}});
    Clock::time_point last_commit = Clock::now();
    Clock::time_point last_lag = Clock::now();
    bool fatal = false;
    while (!stopping_.load()) {
      FireDueRetries();
      ApplyBackPressure();
      const Clock::time_point now = Clock::now();
      if (now - last_commit >= options_.commit_interval) {
        CommitFinished();
        last_commit = now;
      }
      if (options_.statistics_interval.count() > 0 &&
          now - last_lag >= options_.statistics_interval) {
        RefreshLag();
        last_lag = now;
      }
      auto polled = consumer_->Poll(paused_ ? WaitWhilePaused() : PollWait());
      if (!polled.ok()) {
        if (!polled.error().retryable || consumer_->Fatal()) {
          Log(LogLevel::kError, "fatal consumer error, stopping",
              {{"stage", options_.stage}, {"error", polled.error().message}});
          fatal = true;
          break;
        }
        Log(LogLevel::kWarning, "consumer error",
            {{"stage", options_.stage}, {"error", polled.error().message}});
      } else if (polled.value()) {
        Accept(std::move(*polled.value()));
      }
      polls_.fetch_add(1);
    }
    Stop();
    Shutdown();
    if (fatal) throw std::runtime_error("stage " + options_.stage + ": fatal Kafka consumer error");
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    drain_cv_.notify_all();
  }

  bool Ready() const { return !stopping_.load() && consumer_->Ready(); }

  LoopCounts Counts() const { return {polls_.load(), pauses_.load(), resumes_.load()}; }

 private:
  struct PartitionState {
    bool revoking = false;
  };

  // --- poll thread -------------------------------------------------------------------------

  std::chrono::milliseconds PollWait() {
    std::lock_guard lock(mutex_);
    if (retries_.empty()) return kMaxPollWait;
    const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
        retries_.begin()->first - Clock::now());
    return std::clamp(until, std::chrono::milliseconds(0), kMaxPollWait);
  }

  // While paused nothing is fetched: wait for completions instead of the broker, so fetching
  // resumes as soon as enough records finished. Returns the Poll() wait left (0: poll at once, to
  // serve rebalance callbacks and statistics).
  std::chrono::milliseconds WaitWhilePaused() {
    std::unique_lock lock(mutex_);
    drain_cv_.wait_for(lock, kMaxPollWait,
                       [&] { return stopping_.load() || tasks_.size() <= ResumeBelow(); });
    return std::chrono::milliseconds(0);
  }

  // Records held (running, ready, or waiting behind their key) before fetching pauses. Pausing
  // drops librdkafka's prefetched records, and a resumed partition is fetched again only when
  // the broker thread next decides its fetches, up to ~1 s later (librdkafka issue #1753 and
  // confluent-kafka-go #630 show the delay). So pausing is the memory bound of a backlog, not
  // the pace: eight rounds of the workers are held, and fetching resumes at four, which keeps
  // them busy through the refetch (at two and one the agent's 256 workers ran dry after each
  // pause, and at in-flight 1 each record waited for its refetch).
  std::size_t HoldLimit() const {
    return 8 * static_cast<std::size_t>(options_.max_in_flight) + 64;
  }

  std::size_t ResumeBelow() const {
    return 4 * static_cast<std::size_t>(options_.max_in_flight) + 32;
  }

  void Accept(ConsumedRecord record) {
    std::lock_guard lock(mutex_);
    TopicPartition partition{record.topic, record.partition};
    const auto state = partitions_.find(partition);
    if (state == partitions_.end() || state->second.revoking) return;  // redelivered later
    try {
      tracker_.Add(partition, record.offset);
    } catch (const std::logic_error& e) {
      // Only a seek or offset reset moves a partition backwards; the record stays uncommitted.
      Log(LogLevel::kError, "record out of order, skipped",
          {{"stage", options_.stage},
           {"topic", record.topic},
           {"partition", record.partition},
           {"offset", record.offset},
           {"error", e.what()}});
      return;
    }
    auto task = std::make_shared<Task>();
    task->ticket = next_ticket_++;
    task->key = RecordKey{std::move(partition), record.key};
    task->record = std::move(record);
    tasks_.emplace(task->ticket, task);
    if (scheduler_.Enqueue(task->key, task->ticket)) Dispatch(task);
    in_flight_.Set(static_cast<double>(tasks_.size()));
  }

  void FireDueRetries() {
    std::lock_guard lock(mutex_);
    const Clock::time_point now = Clock::now();
    while (!retries_.empty() && retries_.begin()->first <= now) {
      const Ticket ticket = retries_.begin()->second;
      retries_.erase(retries_.begin());
      const auto task = tasks_.find(ticket);
      if (task != tasks_.end() && MayStart(task->second->key.partition)) Dispatch(task->second);
    }
  }

  void ApplyBackPressure() {
    std::size_t held = 0;
    {
      std::lock_guard lock(mutex_);
      held = tasks_.size();
    }
    if (!paused_ && held >= HoldLimit()) {
      paused_ = true;
      Log(LogLevel::kDebug, "hold limit reached: pausing", {{"stage", options_.stage}});
      consumer_->Pause(consumer_->Assignment());
      pauses_.fetch_add(1);
    } else if (paused_ && held <= ResumeBelow()) {
      paused_ = false;
      Log(LogLevel::kDebug, "below the hold limit: resuming", {{"stage", options_.stage}});
      consumer_->Resume(consumer_->Assignment());
      resumes_.fetch_add(1);
    }
  }

  void CommitFinished() {
    std::vector<TopicPartitionOffset> offsets;
    {
      std::lock_guard lock(mutex_);
      for (const TopicPartitionOffset& offset : tracker_.AllCommittable()) {
        const auto state = partitions_.find(offset.partition);
        if (state != partitions_.end() && !state->second.revoking) offsets.push_back(offset);
      }
    }
    if (offsets.empty()) return;
    if (auto error = consumer_->Commit(offsets)) {
      Log(LogLevel::kWarning, "commit failed, will retry",
          {{"stage", options_.stage}, {"error", error->message}});
      return;
    }
    std::lock_guard lock(mutex_);
    for (const TopicPartitionOffset& offset : offsets) {
      tracker_.MarkCommitted(offset.partition, offset.offset);
    }
  }

  void RefreshLag() {
    for (const KafkaConsumer::PartitionLag& lag : consumer_->Lags()) {
      auto gauge = lag_gauges_.find(lag.partition);
      if (gauge == lag_gauges_.end()) {
        prometheus::Gauge& added =
            lag_.Add({{"stage", options_.stage},
                      {"topic", lag.partition.topic},
                      {"partition", std::to_string(lag.partition.partition)}});
        gauge = lag_gauges_.emplace(lag.partition, &added).first;
      }
      gauge->second->Set(static_cast<double>(lag.lag));
    }
  }

  // Rebalance listener: runs on the poll thread inside Poll() or Close().
  void Assigned(const std::vector<TopicPartition>& partitions) {
    {
      std::lock_guard lock(mutex_);
      for (const TopicPartition& partition : partitions) {
        tracker_.Forget(partition);
        partitions_[partition] = PartitionState{};
      }
    }
    // librdkafka keeps a partition's pause across unassign/assign, so a partition paused under
    // an earlier assignment would never fetch again: the whole assignment starts resumed, and
    // ApplyBackPressure pauses it again once the assignment is in place if the records still held
    // call for it (rather than a pause and a resume racing the assignment's offset fetch).
    paused_ = false;
    consumer_->Resume(consumer_->Assignment());
  }

  // Stop handing out records of `partitions`, let running ones finish (up to the drain deadline),
  // commit the finished prefix, forget the rest: unfinished records are redelivered to the next
  // owner.
  void Revoke(const std::vector<TopicPartition>& partitions, bool lost) {
    const std::set<TopicPartition> revoked(partitions.begin(), partitions.end());
    std::unique_lock lock(mutex_);
    for (const TopicPartition& partition : partitions) {
      const auto state = partitions_.find(partition);
      if (state != partitions_.end()) state->second.revoking = true;
      for (const Ticket ticket : scheduler_.Forget(partition)) {
        const auto task = tasks_.find(ticket);
        if (task != tasks_.end() && !task->second->running) tasks_.erase(task);
      }
    }
    std::erase_if(ready_, [&](const std::shared_ptr<Task>& task) {
      return revoked.count(task->key.partition) > 0;
    });
    const auto running = [&] {
      return std::count_if(tasks_.begin(), tasks_.end(), [&](const auto& entry) {
        return entry.second->running && revoked.count(entry.second->key.partition) > 0;
      });
    };
    const Clock::time_point deadline = Clock::now() + options_.drain_timeout;
    if (!lost) drain_cv_.wait_until(lock, deadline, [&] { return running() == 0; });
    if (const auto abandoned = running(); abandoned > 0) {
      Log(LogLevel::kWarning, "records abandoned uncommitted after the drain deadline",
          {{"stage", options_.stage}, {"records", static_cast<std::int64_t>(abandoned)}});
    }
    std::vector<TopicPartitionOffset> offsets;
    for (const TopicPartition& partition : partitions) {
      if (auto offset = tracker_.Committable(partition)) offsets.push_back({partition, *offset});
    }
    lock.unlock();
    if (!lost && !offsets.empty()) {
      if (auto error = consumer_->Commit(offsets)) {
        Log(LogLevel::kWarning, "commit on revoke failed: finished records will be redelivered",
            {{"stage", options_.stage}, {"error", error->message}});
      }
    }
    lock.lock();
    for (const TopicPartition& partition : partitions) {
      tracker_.Forget(partition);
      partitions_.erase(partition);
    }
    std::erase_if(
        tasks_, [&](const auto& entry) { return revoked.count(entry.second->key.partition) > 0; });
    in_flight_.Set(static_cast<double>(tasks_.size()));
    lock.unlock();
    for (const TopicPartition& partition : partitions) {
      const auto gauge = lag_gauges_.find(partition);
      if (gauge == lag_gauges_.end()) continue;
      lag_.Remove(gauge->second);
      lag_gauges_.erase(gauge);
    }
  }

  // Drains and commits everything, then leaves the group. Poll thread (or the destructor).
  void Shutdown() {
    Revoke(consumer_->Assignment(), false);
    consumer_->Close();  // the revoke callback inside finds nothing left to wait for
    Log(LogLevel::kInfo, "stage stopped", {{"stage", options_.stage}});
  }

  // --- worker threads ----------------------------------------------------------------------

  // Caller holds mutex_.
  bool MayStart(const TopicPartition& partition) const {
    if (stopping_.load()) return false;
    const auto state = partitions_.find(partition);
    return state != partitions_.end() && !state->second.revoking;
  }

  // Caller holds mutex_.
  void Dispatch(const std::shared_ptr<Task>& task) {
    ready_.push_back(task);
    work_cv_.notify_one();
  }

  void Work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_cv_.wait(lock, [&] { return shutdown_ || (!stopping_.load() && !ready_.empty()); });
      if (shutdown_) return;
      std::shared_ptr<Task> task = std::move(ready_.front());
      ready_.pop_front();
      task->running = true;
      lock.unlock();
      const RunResult result = Execute(*task);
      lock.lock();
      Complete(task, result);
    }
  }

  // Runs the handler (or writes the dead letter) without the lock; the task is ours while it
  // is marked running.
  RunResult Execute(Task& task) {
    const auto metrics = metrics_.find(task.record.topic);
    TopicMetrics* counters = metrics == metrics_.end() ? nullptr : &metrics->second;
    if (counters && (task.attempts > 0 || task.dead_letter_failures > 0)) {
      counters->retried->Increment();
    }
    if (!task.dead_letter_error) {
      ++task.attempts;
      const Clock::time_point start = Clock::now();
      Outcome outcome;
      try {
        outcome = handler_(task.record);
      } catch (...) {
        outcome = OutcomeOfException(std::current_exception());
      }
      if (counters) {
        counters->seconds->Observe(std::chrono::duration<double>(Clock::now() - start).count());
      }
      if (outcome.kind == Outcome::Kind::kDone) {
        if (counters) counters->processed->Increment();
        return RunResult::kDone;
      }
      task.last_failure_ms = NowUnixMs();
      if (task.first_failure_ms == 0) task.first_failure_ms = task.last_failure_ms;
      if (outcome.kind == Outcome::Kind::kRetry) {
        if (counters) counters->failed->Increment();
        const bool give_up =
            options_.retry_max_attempts > 0 && task.attempts >= options_.retry_max_attempts;
        Log(LogLevel::kWarning, give_up ? "record failed, attempts exhausted" : "record failed",
            {{"stage", options_.stage},
             {"topic", task.record.topic},
             {"partition", task.record.partition},
             {"offset", task.record.offset},
             {"attempt", task.attempts},
             {"error", outcome.error}});
        if (!give_up) return RunResult::kRetry;
        task.dead_letter_error =
            "gave up after " + std::to_string(task.attempts) + " attempts: " + outcome.error;
      } else {
        task.dead_letter_error = outcome.error;
      }
    }
    const OutboundRecord dead_letter =
        DeadLetterFor(task.record, DeadLetterInfo{.stage = options_.stage,
                                                  .error = *task.dead_letter_error,
                                                  .attempts = task.attempts,
                                                  .first_failure_ms = task.first_failure_ms,
                                                  .last_failure_ms = task.last_failure_ms});
    if (auto error = dead_letters_.ProduceAndWait(std::span(&dead_letter, 1))) {
      ++task.dead_letter_failures;
      Log(LogLevel::kError, "dead-letter write failed, will retry",
          {{"stage", options_.stage},
           {"topic", dead_letter.topic},
           {"offset", task.record.offset},
           {"error", error->message}});
      return RunResult::kDeadLetterFailed;
    }
    if (counters) counters->dead_lettered->Increment();
    Log(LogLevel::kWarning, "record dead-lettered",
        {{"stage", options_.stage},
         {"topic", task.record.topic},
         {"partition", task.record.partition},
         {"offset", task.record.offset},
         {"error", *task.dead_letter_error}});
    return RunResult::kDeadLettered;
  }

  // Caller holds mutex_.
  void Complete(const std::shared_ptr<Task>& task, RunResult result) {
    task->running = false;
    const auto found = tasks_.find(task->ticket);
    if (found != tasks_.end() && found->second == task) {
      if (result == RunResult::kDone || result == RunResult::kDeadLettered) {
        tasks_.erase(found);
        tracker_.Finish(task->key.partition, task->record.offset);
        if (const auto next = scheduler_.Finish(task->key)) {
          const auto next_task = tasks_.find(*next);
          if (next_task != tasks_.end() && MayStart(task->key.partition)) {
            Dispatch(next_task->second);
          }
        }
      } else {
        const int failures =
            result == RunResult::kRetry ? task->attempts : task->dead_letter_failures;
        retries_.emplace(Clock::now() + BackoffDelay(options_.retry, failures, random_),
                         task->ticket);
      }
      in_flight_.Set(static_cast<double>(tasks_.size()));
    }
    // else: its partition was given up while it ran; the next owner processes it again.
    drain_cv_.notify_all();
  }

  void JoinWorkers() {
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

  Options options_;
  RecordHandler handler_;
  KafkaProducer& dead_letters_;
  UniformRandom random_;  // called with mutex_ held

  prometheus::Family<prometheus::Counter>& processed_;
  prometheus::Family<prometheus::Counter>& failed_;
  prometheus::Family<prometheus::Counter>& retried_;
  prometheus::Family<prometheus::Counter>& dead_lettered_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  prometheus::Family<prometheus::Gauge>& in_flight_family_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Gauge& in_flight_;
  std::map<std::string, TopicMetrics> metrics_;              // read-only after construction
  std::map<TopicPartition, prometheus::Gauge*> lag_gauges_;  // poll thread only

  std::atomic<bool> stopping_{false};
  std::atomic<bool> ran_{false};
  std::atomic<std::uint64_t> polls_{0};    // for Counts(): finished polls of Run()
  std::atomic<std::uint64_t> pauses_{0};   // back-pressure pauses
  std::atomic<std::uint64_t> resumes_{0};  // back-pressure resumes
  bool paused_ = false;                    // poll thread only

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable work_cv_;
  std::condition_variable drain_cv_;
  bool shutdown_ = false;
  InflightTracker tracker_;
  KeyScheduler scheduler_;
  std::map<TopicPartition, PartitionState> partitions_;
  std::unordered_map<Ticket, std::shared_ptr<Task>> tasks_;  // every held record
  std::deque<std::shared_ptr<Task>> ready_;                  // may start now, oldest first
  std::multimap<Clock::time_point, Ticket> retries_;         // waiting out a backoff
  Ticket next_ticket_ = 1;

  // Last: these call back into this object.
  std::vector<std::thread> workers_;
  std::unique_ptr<KafkaConsumer> consumer_;
};

StageRuntime::StageRuntime(Options options, RecordHandler handler, KafkaProducer& dead_letters,
                           prometheus::Registry& registry, UniformRandom random)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), dead_letters, registry,
                                   std::move(random))) {}

StageRuntime::~StageRuntime() = default;

void StageRuntime::Run() {
  impl_->Run();
}

void StageRuntime::Stop() {
  impl_->Stop();
}

bool StageRuntime::Ready() const {
  return impl_->Ready();
}

StageRuntime::LoopCounts StageRuntime::Counts() const {
  return impl_->Counts();
}

}  // namespace switchboard
