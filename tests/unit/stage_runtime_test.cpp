// The consumer runtime against librdkafka's in-process mock cluster: real group membership,
// fetches and commits, no broker to start.
#include "common/stage_runtime.hpp"

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka_producer.hpp"

namespace switchboard {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 30s;

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

struct MockDeleter {
  void operator()(rd_kafka_mock_cluster_t* cluster) const {
    rd_kafka_mock_cluster_destroy(cluster);
  }
};

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionListHandle = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

KafkaHandle NewClient(rd_kafka_type_t type, const std::map<std::string, std::string>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [name, value] : settings) {
    REQUIRE(rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) ==
            RD_KAFKA_CONF_OK);
  }
  KafkaHandle client(rd_kafka_new(type, conf, error, sizeof error));
  REQUIRE_MESSAGE(client, error);
  return client;
}

/// A one-broker mock cluster with the helpers the tests need around it.
class MockKafka {
 public:
  MockKafka() : host_(NewClient(RD_KAFKA_PRODUCER, {{"log_level", "3"}})) {
    cluster_.reset(rd_kafka_mock_cluster_new(host_.get(), 1));
    REQUIRE(cluster_);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_.get());
    producer_ = NewClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstraps_}});
  }

  const std::string& Bootstraps() const { return bootstraps_; }

  void CreateTopic(const std::string& topic, int partitions) {
    REQUIRE(rd_kafka_mock_topic_create(cluster_.get(), topic.c_str(), partitions, 1) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  /// Produces "key:seq" values to an explicit partition and waits for the acknowledgements.
  void Produce(const std::string& topic, std::int32_t partition, const std::string& key, int seq) {
    const std::string value = key + ":" + std::to_string(seq);
    REQUIRE(rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                              RD_KAFKA_V_PARTITION(partition),
                              RD_KAFKA_V_KEY(key.data(), key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  void Flush() { REQUIRE(rd_kafka_flush(producer_.get(), 10000) == RD_KAFKA_RESP_ERR_NO_ERROR); }

  /// The offset `group` committed for each partition of `topic` (negative when none).
  std::vector<std::int64_t> Committed(const std::string& group, const std::string& topic,
                                      int partitions) {
    if (!committed_reader_ || committed_group_ != group) {
      committed_reader_ =
          NewClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstraps_}, {"group.id", group}});
      committed_group_ = group;
    }
    PartitionListHandle list(rd_kafka_topic_partition_list_new(partitions));
    for (int p = 0; p < partitions; ++p)
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
    REQUIRE(rd_kafka_committed(committed_reader_.get(), list.get(), 10000) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
    std::vector<std::int64_t> offsets;
    for (int p = 0; p < partitions; ++p) offsets.push_back(list->elems[p].offset);
    return offsets;
  }

  /// Reads `count` records (key, value) from partition 0 of `topic` from the beginning.
  std::vector<std::pair<std::string, std::string>> Read(const std::string& topic,
                                                        std::size_t count) {
    KafkaHandle reader = NewClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstraps_},
                                                       {"group.id", "test-reader"},
                                                       {"enable.auto.commit", "false"}});
    PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), 0)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    REQUIRE(rd_kafka_assign(reader.get(), list.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
    std::vector<std::pair<std::string, std::string>> records;
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(reader.get(), 100);
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        records.emplace_back(std::string(static_cast<const char*>(message->key), message->key_len),
                             std::string(static_cast<const char*>(message->payload), message->len));
      }
      rd_kafka_message_destroy(message);
    }
    rd_kafka_consumer_close(reader.get());
    return records;
  }

 private:
  KafkaHandle host_;
  std::unique_ptr<rd_kafka_mock_cluster_t, MockDeleter> cluster_;
  std::string bootstraps_;
  KafkaHandle producer_;
  KafkaHandle committed_reader_;
  std::string committed_group_;
};

/// One handled run of a record.
struct Handled {
  std::string key;
  int seq = 0;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

/// What the handlers saw, shared with the test thread.
class Journal {
 public:
  void Add(const ConsumedRecord& record) {
    const auto colon = record.value.rfind(':');
    std::lock_guard lock(mutex_);
    runs_.push_back(
        {record.key, std::stoi(record.value.substr(colon + 1)), record.partition, record.offset});
    changed_.notify_all();
  }

  /// Waits until `done` holds over the runs so far; false after the deadline.
  bool WaitFor(const std::function<bool(const std::vector<Handled>&)>& done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return done(runs_); });
  }

  std::vector<Handled> Runs() const {
    std::lock_guard lock(mutex_);
    return runs_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Handled> runs_;
};

/// A latch a handler blocks on until the test opens it.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kDeadline, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

/// Catches a key running twice at once.
class KeyGuard {
 public:
  void Enter(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (!running_.insert(key).second) overlapped_ = true;
  }
  void Leave(const std::string& key) {
    std::lock_guard lock(mutex_);
    running_.erase(key);
  }
  bool Overlapped() const {
    std::lock_guard lock(mutex_);
    return overlapped_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> running_;
  bool overlapped_ = false;
};

std::size_t CountKey(const std::vector<Handled>& runs, const std::string& key) {
  return std::count_if(runs.begin(), runs.end(), [&](const Handled& h) { return h.key == key; });
}

/// Sequence numbers of `key` in the order they were handled.
std::vector<int> SeqsOf(const std::vector<Handled>& runs, const std::string& key) {
  std::vector<int> seqs;
  for (const Handled& h : runs) {
    if (h.key == key) seqs.push_back(h.seq);
  }
  return seqs;
}

std::vector<int> Iota(int n) {
  std::vector<int> seqs;
  for (int i = 0; i < n; ++i) seqs.push_back(i);
  return seqs;
}

StageRuntime::Options TestOptions(const MockKafka& kafka, const std::string& stage) {
  StageRuntime::Options options;
  options.stage = stage;
  options.topics = {"in"};
  options.brokers = kafka.Bootstraps();
  options.max_in_flight = 16;
  options.commit_interval = 50ms;
  options.retry = {1ms, 5ms};
  options.drain_timeout = 5s;
  options.statistics_interval = 200ms;
  options.session_timeout = 6s;
  return options;
}

/// Runs the runtime on its own thread; Stop()s and joins when it goes out of scope.
class RunningStage {
 public:
  RunningStage(StageRuntime::Options options, RecordHandler handler, KafkaProducer& producer,
               prometheus::Registry& registry)
      : runtime_(std::move(options), std::move(handler), producer, registry, [] { return 0.5; }),
        thread_([this] { runtime_.Run(); }) {}
  ~RunningStage() { StopAndJoin(); }

  StageRuntime& Runtime() { return runtime_; }

  void StopAndJoin() {
    runtime_.Stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  StageRuntime runtime_;
  std::thread thread_;  // last: runs runtime_
};

TEST_CASE(
    "StageRuntime runs keys concurrently, in order per key, and commits the finished "
    "prefix") {
  MockKafka kafka;
  kafka.CreateTopic("in", 3);
  kafka.CreateTopic("in.dlq", 1);
  // Partition 0: key "slow" shares it with "a" and "b"; "a":0 is at offset 0, "slow":0 at 1.
  for (int seq = 0; seq < 5; ++seq) {
    kafka.Produce("in", 0, "a", seq);
    kafka.Produce("in", 0, "slow", seq);
    kafka.Produce("in", 0, "b", seq);
    kafka.Produce("in", 1, "c", seq);
    kafka.Produce("in", 1, "d", seq);
    kafka.Produce("in", 2, "e", seq);
  }
  kafka.Flush();

  Journal journal;
  Gate slow_gate;
  KeyGuard guard;
  std::atomic<int> scramble{0};
  KafkaProducer producer({.brokers = kafka.Bootstraps()});
  prometheus::Registry registry;
  RunningStage stage(
      TestOptions(kafka, "ordering"),
      [&](const ConsumedRecord& record) {
        guard.Enter(record.key);
        if (record.key == "slow" && record.value == "slow:0") slow_gate.Wait();
        // Uneven work so completions come out of offset order.
        std::this_thread::sleep_for(std::chrono::microseconds(200 * (scramble++ % 7)));
        journal.Add(record);
        guard.Leave(record.key);
        return Outcome::Done();
      },
      producer, registry);

  // While "slow":0 is blocked, every other key finishes, including a and b of its partition.
  REQUIRE(journal.WaitFor([](const std::vector<Handled>& runs) { return runs.size() == 25; }));
  auto runs = journal.Runs();
  CHECK(CountKey(runs, "a") == 5);
  CHECK(CountKey(runs, "b") == 5);
  CHECK(CountKey(runs, "slow") == 0);  // later records of the key wait for the first

  // Commits reach the ends of partitions 1 and 2, but on partition 0 stop at the blocked record.
  const auto committed_prefix = [&] {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto offsets = kafka.Committed("switchboard-ordering", "in", 3);
      if (offsets == std::vector<std::int64_t>{1, 10, 5}) return true;
      if (offsets[0] > 1) return false;   // passed the unfinished record
      std::this_thread::sleep_for(20ms);  // polling the broker's state, not synchronising threads
    }
    return false;
  };
  CHECK(committed_prefix());
  CHECK(kafka.Committed("switchboard-ordering", "in", 3)[0] == 1);
  CHECK(stage.Runtime().Ready());

  slow_gate.Open();
  REQUIRE(journal.WaitFor([](const std::vector<Handled>& runs) { return runs.size() == 30; }));
  stage.StopAndJoin();

  runs = journal.Runs();
  for (const std::string key : {"a", "b", "slow", "c", "d", "e"}) {
    CHECK_MESSAGE(SeqsOf(runs, key) == Iota(5), key);  // once each, in order
  }
  CHECK_FALSE(guard.Overlapped());
  CHECK(kafka.Committed("switchboard-ordering", "in", 3) == std::vector<std::int64_t>{15, 10, 5});
  CHECK_FALSE(stage.Runtime().Ready());
}

TEST_CASE("StageRuntime retries holding the key, dead-letters and moves on, commits on Stop") {
  MockKafka kafka;
  kafka.CreateTopic("in", 2);
  kafka.CreateTopic("in.dlq", 1);
  kafka.Produce("in", 0, "r", 0);  // Retry twice, then Done
  kafka.Produce("in", 0, "r", 1);
  kafka.Produce("in", 0, "o", 0);
  kafka.Produce("in", 0, "o", 1);
  kafka.Produce("in", 1, "x", 0);  // DeadLetter outcome
  kafka.Produce("in", 1, "x", 1);
  kafka.Produce("in", 1, "t", 0);  // throws std::runtime_error: dead letter
  kafka.Produce("in", 1, "t", 1);
  kafka.Produce("in", 1, "q", 0);  // throws RetryableError once: retried
  kafka.Produce("in", 1, "q", 1);
  kafka.Flush();

  Journal journal;
  std::mutex mutex;
  std::map<std::string, int> attempts;
  KafkaProducer producer({.brokers = kafka.Bootstraps()});
  prometheus::Registry registry;
  auto options = TestOptions(kafka, "failures");
  options.commit_interval = std::chrono::hours(1);  // only Stop() commits
  RunningStage stage(
      options,
      [&](const ConsumedRecord& record) {
        journal.Add(record);
        int attempt = 0;
        {
          std::lock_guard lock(mutex);
          attempt = ++attempts[record.value];
        }
        if (record.value == "r:0" && attempt <= 2) return Outcome::Retry("database is down");
        if (record.value == "x:0") return Outcome::DeadLetter("no such business");
        if (record.value == "t:0") throw std::runtime_error("malformed payload");
        if (record.value == "q:0" && attempt == 1) throw RetryableError("LLM answered 503");
        return Outcome::Done();
      },
      producer, registry);

  // Every record reached Done or the dead-letter topic: 10 records, 2 + 1 extra runs.
  REQUIRE(journal.WaitFor([](const std::vector<Handled>& runs) { return runs.size() == 13; }));
  auto runs = journal.Runs();
  CHECK(SeqsOf(runs, "r") == std::vector<int>{0, 0, 0, 1});  // r:1 waited for r:0's retries
  CHECK(SeqsOf(runs, "q") == std::vector<int>{0, 0, 1});
  CHECK(SeqsOf(runs, "x") == std::vector<int>{0, 1});  // dead-lettered, then the key moved on
  CHECK(SeqsOf(runs, "t") == std::vector<int>{0, 1});
  CHECK(SeqsOf(runs, "o") == std::vector<int>{0, 1});

  const auto dead = kafka.Read("in.dlq", 2);
  REQUIRE(dead.size() == 2);
  std::map<std::string, std::string> by_key(dead.begin(), dead.end());
  REQUIRE(by_key.count("x") == 1);
  REQUIRE(by_key.count("t") == 1);
  CHECK(by_key["x"].find("no such business") != std::string::npos);
  CHECK(by_key["x"].find("\"stage\":\"failures\"") != std::string::npos);
  CHECK(by_key["t"].find("malformed payload") != std::string::npos);

  // The last dead letter is acknowledged before its record counts as done: wait for the counter
  // (it is incremented after the acknowledgement), then check nothing was committed yet.
  CHECK(kafka.Committed("switchboard-failures", "in", 2)[0] < 0);
  stage.StopAndJoin();
  CHECK(kafka.Committed("switchboard-failures", "in", 2) == std::vector<std::int64_t>{4, 6});

  const std::string metrics = prometheus::TextSerializer().Serialize(registry.Collect());
  CHECK(
      metrics.find("switchboard_records_dead_lettered_total{stage=\"failures\",topic=\"in\"} 2") !=
      std::string::npos);
  CHECK(metrics.find("switchboard_records_failed_total{stage=\"failures\",topic=\"in\"} 3") !=
        std::string::npos);
  CHECK(metrics.find("switchboard_records_retried_total{stage=\"failures\",topic=\"in\"} 3") !=
        std::string::npos);
  CHECK(metrics.find("switchboard_records_processed_total{stage=\"failures\",topic=\"in\"} 8") !=
        std::string::npos);
}

/// The runtime's gauge of records held (running, ready or waiting), as /metrics shows it.
double HeldRecords(prometheus::Registry& registry, const std::string& stage) {
  const std::string metrics = prometheus::TextSerializer().Serialize(registry.Collect());
  const std::string series = "switchboard_records_in_flight{stage=\"" + stage + "\"} ";
  const auto at = metrics.find(series);
  return at == std::string::npos ? -1 : std::stod(metrics.substr(at + series.size()));
}

TEST_CASE("StageRuntime holds 8 x max_in_flight + 64 records, pauses, resumes, loses nothing") {
  MockKafka kafka;
  kafka.CreateTopic("in", 1);
  kafka.CreateTopic("in.dlq", 1);
  constexpr int kPerKey = 100;
  for (int seq = 0; seq < kPerKey; ++seq) {
    kafka.Produce("in", 0, "m", seq);
    kafka.Produce("in", 0, "n", seq);
  }
  kafka.Flush();

  Journal journal;
  Gate gate;
  KafkaProducer producer({.brokers = kafka.Bootstraps()});
  prometheus::Registry registry;
  auto options = TestOptions(kafka, "pressure");
  options.max_in_flight = 2;
  constexpr double kHoldLimit = 8 * 2 + 64;
  RunningStage stage(
      options,
      [&](const ConsumedRecord& record) {
        if (record.value == "m:0" || record.value == "n:0") gate.Wait();
        journal.Add(record);
        return Outcome::Done();
      },
      producer, registry);

  // Both keys are blocked on their first record: the stage takes records until it holds the
  // limit, then pauses; without the pause it would take all 200.
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (HeldRecords(registry, "pressure") < kHoldLimit &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // polling a gauge, not synchronising threads
  }
  REQUIRE(HeldRecords(registry, "pressure") == kHoldLimit);
  // Five more polls of the runtime take nothing in: it paused once and stays paused while the
  // held records are above the resume mark (were the pause missing or lifted, the next polls
  // would take in more of the 200 records).
  const std::uint64_t polls_at_limit = stage.Runtime().Counts().polls;
  while (stage.Runtime().Counts().polls < polls_at_limit + 5 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // polling a counter, not synchronising threads
  }
  const StageRuntime::LoopCounts held_back = stage.Runtime().Counts();
  REQUIRE(held_back.polls >= polls_at_limit + 5);
  CHECK(held_back.pauses == 1);
  CHECK(held_back.resumes == 0);
  CHECK(HeldRecords(registry, "pressure") == kHoldLimit);

  // Once the held records drain below the resume mark, fetching resumes and everything runs.
  gate.Open();
  REQUIRE(
      journal.WaitFor([](const std::vector<Handled>& runs) { return runs.size() == 2 * kPerKey; }));
  stage.StopAndJoin();
  const auto runs = journal.Runs();
  CHECK(SeqsOf(runs, "m") == Iota(kPerKey));
  CHECK(SeqsOf(runs, "n") == Iota(kPerKey));
  CHECK(kafka.Committed("switchboard-pressure", "in", 1)[0] == 2 * kPerKey);
}

/// True when no record of a key ran before every earlier record of that key had run: under
/// redelivery a key may go back, never skip ahead.
bool NeverSkipsAhead(const std::vector<int>& seqs) {
  int highest = -1;
  for (const int seq : seqs) {
    if (seq > highest + 1) return false;
    highest = std::max(highest, seq);
  }
  return true;
}

TEST_CASE("StageRuntime hands partitions over on a rebalance: at least once, in order per key") {
  MockKafka kafka;
  kafka.CreateTopic("in", 4);
  kafka.CreateTopic("in.dlq", 1);
  // One key per partition.
  constexpr int kPerKey = 40;
  const std::vector<std::string> keys{"k0", "k1", "k2", "k3"};
  for (int seq = 0; seq < kPerKey; ++seq) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      kafka.Produce("in", static_cast<std::int32_t>(k), keys[k], seq);
    }
  }
  kafka.Flush();

  Journal first_journal;
  Journal second_journal;
  Journal all;
  KafkaProducer producer({.brokers = kafka.Bootstraps()});
  prometheus::Registry first_registry;
  prometheus::Registry second_registry;
  // The first member works slowly until the second one handles something: it is still busy when
  // the group hands partitions over (a heartbeat, 3 s, tells it to).
  std::atomic<bool> second_working{false};
  RunningStage first(
      TestOptions(kafka, "handover"),
      [&](const ConsumedRecord& record) {
        std::this_thread::sleep_for(second_working ? 10ms : 200ms);
        first_journal.Add(record);
        all.Add(record);
        return Outcome::Done();
      },
      producer, first_registry);
  REQUIRE(first_journal.WaitFor([](const std::vector<Handled>& runs) { return runs.size() >= 4; }));
  RunningStage second(
      TestOptions(kafka, "handover"),
      [&](const ConsumedRecord& record) {
        second_working = true;
        std::this_thread::sleep_for(10ms);
        second_journal.Add(record);
        all.Add(record);
        return Outcome::Done();
      },
      producer, second_registry);

  // Wait for every record to be committed, which the group does only once each has been handled.
  const auto deadline = std::chrono::steady_clock::now() + 2 * kDeadline;
  std::vector<std::int64_t> committed;
  while (std::chrono::steady_clock::now() < deadline) {
    committed = kafka.Committed("switchboard-handover", "in", 4);
    if (committed == std::vector<std::int64_t>(4, kPerKey)) break;
    std::this_thread::sleep_for(50ms);  // polling the broker's state, not synchronising threads
  }
  CHECK(committed == std::vector<std::int64_t>(4, kPerKey));
  first.StopAndJoin();
  second.StopAndJoin();

  // The mock cluster refuses commits while a rebalance is pending (a real broker accepts them
  // from the current generation until the group syncs), so records finished just before the
  // handover may run again: at least once, never out of order.
  const auto runs = all.Runs();
  for (const std::string& key : keys) {
    const std::vector<int> seqs = SeqsOf(runs, key);
    CHECK_MESSAGE(std::set<int>(seqs.begin(), seqs.end()).size() == kPerKey, key);
    CHECK_MESSAGE(NeverSkipsAhead(seqs), key);
  }
  INFO("first handled ", first_journal.Runs().size(), ", second ", second_journal.Runs().size());
  CHECK(second_journal.Runs().size() > 0);  // the second member really took partitions over
}

TEST_CASE("OutcomeOfException retries only retryable errors") {
  CHECK(OutcomeOfException(std::make_exception_ptr(RetryableError("x"))).kind ==
        Outcome::Kind::kRetry);
  const Outcome dead = OutcomeOfException(std::make_exception_ptr(std::invalid_argument("bad")));
  CHECK(dead.kind == Outcome::Kind::kDeadLetter);
  CHECK(dead.error == "bad");
  CHECK(OutcomeOfException(std::make_exception_ptr(42)).kind == Outcome::Kind::kDeadLetter);
  CHECK(Outcome::FromError(Error{"db", true}).kind == Outcome::Kind::kRetry);
  CHECK(Outcome::FromError(Error{"schema", false}).kind == Outcome::Kind::kDeadLetter);
}

}  // namespace
}  // namespace switchboard
