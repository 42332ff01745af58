#include "common/kafka_consumer.hpp"

#include <algorithm>

#include "common/config.hpp"
#include "common/json.hpp"
#include "common/kafka_conf.hpp"
#include "common/log.hpp"

namespace switchboard {
namespace {

/// Owns librdkafka TopicPartition objects for one call.
class PartitionList final {
 public:
  PartitionList() = default;
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
  ~PartitionList() { RdKafka::TopicPartition::destroy(items_); }

  void Add(const TopicPartition& partition, std::int64_t offset = RdKafka::Topic::OFFSET_INVALID) {
    items_.push_back(RdKafka::TopicPartition::create(partition.topic, partition.partition, offset));
  }
  std::vector<RdKafka::TopicPartition*>& Items() { return items_; }

 private:
  std::vector<RdKafka::TopicPartition*> items_;
};

std::vector<TopicPartition> ToPartitions(const std::vector<RdKafka::TopicPartition*>& raw) {
  std::vector<TopicPartition> result;
  result.reserve(raw.size());
  for (const RdKafka::TopicPartition* p : raw) result.push_back({p->topic(), p->partition()});
  return result;
}

}  // namespace

class KafkaConsumer::Callbacks final : public RdKafka::RebalanceCb, public RdKafka::EventCb {
 public:
  explicit Callbacks(KafkaConsumer& owner) : owner_(owner) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    const bool assign = err == RdKafka::ERR__ASSIGN_PARTITIONS;
    if (assign) {
      Apply(consumer, true, cooperative, partitions);
      Notify(true, cooperative, false, partitions);
    } else {
      if (err != RdKafka::ERR__REVOKE_PARTITIONS) {
        try {
          Log(LogLevel::kWarning, "kafka rebalance error", {{"error", RdKafka::err2str(err)}});
        } catch (...) {
          // Nothing may leave a librdkafka callback.
        }
      }
      Notify(false, cooperative, consumer->assignment_lost(), partitions);
      Apply(consumer, false, cooperative, partitions);
    }
  }

  void event_cb(RdKafka::Event& event) override {
    try {
      switch (event.type()) {
        case RdKafka::Event::EVENT_ERROR:
          if (event.fatal()) owner_.fatal_ = true;
          Log(event.fatal() ? LogLevel::kError : LogLevel::kWarning, "kafka consumer error",
              {{"error", event.str()}, {"code", RdKafka::err2str(event.err())}});
          break;
        case RdKafka::Event::EVENT_LOG:
          // librdkafka's own log lines: warnings and worse, everything when debugging.
          if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING || owner_.debug_) {
            Log(event.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR ? LogLevel::kError
                                                                         : LogLevel::kWarning,
                "librdkafka", {{"facility", event.fac()}, {"message", event.str()}});
          }
          break;
        case RdKafka::Event::EVENT_STATS:
          owner_.OnStatistics(event.str());
          break;
        default:
          break;
      }
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "kafka consumer event handling failed", {{"error", e.what()}});
    }
  }

 private:
  void Apply(RdKafka::KafkaConsumer* consumer, bool assign, bool cooperative,
             std::vector<RdKafka::TopicPartition*>& partitions) {
    std::string error;
    if (cooperative) {
      std::unique_ptr<RdKafka::Error> failure(assign ? consumer->incremental_assign(partitions)
                                                     : consumer->incremental_unassign(partitions));
      if (failure) error = failure->str();
    } else {
      const RdKafka::ErrorCode code = assign ? consumer->assign(partitions) : consumer->unassign();
      if (code != RdKafka::ERR_NO_ERROR) error = RdKafka::err2str(code);
    }
    if (error.empty()) return;
    try {
      Log(LogLevel::kError, assign ? "kafka assign failed" : "kafka unassign failed",
          {{"error", error}});
    } catch (...) {
      // Nothing may leave a librdkafka callback; the assignment itself was attempted.
    }
  }

  void Notify(bool assign, bool cooperative, bool lost,
              const std::vector<RdKafka::TopicPartition*>& partitions) {
    try {
      owner_.OnRebalance(assign, cooperative, lost, ToPartitions(partitions));
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "rebalance listener failed", {{"error", e.what()}});
    } catch (...) {
      Log(LogLevel::kError, "rebalance listener failed", {{"error", "unknown exception"}});
    }
  }

  KafkaConsumer& owner_;
};

KafkaConsumer::KafkaConsumer(const Options& options, RebalanceListener listener)
    : listener_(std::move(listener)),
      debug_(!options.debug.empty()),
      callbacks_(std::make_unique<Callbacks>(*this)) {
  auto conf = NewKafkaConf(options.brokers, options.client_id);
  SetKafkaConf(*conf, "group.id", options.group_id);
  SetKafkaConf(*conf, "enable.auto.commit", "false");
  SetKafkaConf(*conf, "enable.auto.offset.store", "false");
  SetKafkaConf(*conf, "auto.offset.reset", options.offset_reset);
  SetKafkaConf(*conf, "partition.assignment.strategy", options.assignment_strategy);
  SetKafkaConf(*conf, "session.timeout.ms", std::to_string(options.session_timeout.count()));
  SetKafkaConf(*conf, "max.poll.interval.ms", std::to_string(options.max_poll_interval.count()));
  if (!options.debug.empty()) SetKafkaConf(*conf, "debug", options.debug);
  SetKafkaConf(*conf, "statistics.interval.ms",
               std::to_string(options.statistics_interval.count()));
  std::string error;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK) {
    throw ConfigError("Kafka consumer callbacks: " + error);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer_) throw ConfigError("cannot create Kafka consumer: " + error);
  const RdKafka::ErrorCode code = consumer_->subscribe(options.topics);
  if (code != RdKafka::ERR_NO_ERROR) {
    throw ConfigError("cannot subscribe to the input topics: " + RdKafka::err2str(code));
  }
}

KafkaConsumer::~KafkaConsumer() {
  Close();
}

Result<std::optional<ConsumedRecord>> KafkaConsumer::Poll(std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(timeout.count())));
  switch (message->err()) {
    case RdKafka::ERR_NO_ERROR:
      return std::optional<ConsumedRecord>(ToConsumedRecord(*message));
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF:
      return std::optional<ConsumedRecord>();
    default: {
      const bool fatal = message->err() == RdKafka::ERR__FATAL || fatal_.load();
      if (fatal) fatal_ = true;
      return Error{"kafka consume: " + message->errstr(), !fatal};
    }
  }
}

std::optional<Error> KafkaConsumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return std::nullopt;
  PartitionList list;
  for (const TopicPartitionOffset& offset : offsets) list.Add(offset.partition, offset.offset);
  const RdKafka::ErrorCode code = consumer_->commitSync(list.Items());
  if (code != RdKafka::ERR_NO_ERROR) return Error{"kafka commit: " + RdKafka::err2str(code), true};
  for (const RdKafka::TopicPartition* partition : list.Items()) {
    if (partition->err() != RdKafka::ERR_NO_ERROR) {
      return Error{"kafka commit of " + partition->topic() + "/" +
                       std::to_string(partition->partition()) + ": " +
                       RdKafka::err2str(partition->err()),
                   true};
    }
  }
  return std::nullopt;
}

void KafkaConsumer::Pause(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return;
  PartitionList list;
  for (const TopicPartition& partition : partitions) list.Add(partition);
  const RdKafka::ErrorCode code = consumer_->pause(list.Items());
  if (code != RdKafka::ERR_NO_ERROR) {
    Log(LogLevel::kWarning, "kafka pause failed", {{"error", RdKafka::err2str(code)}});
  }
}

void KafkaConsumer::Resume(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return;
  PartitionList list;
  for (const TopicPartition& partition : partitions) list.Add(partition);
  const RdKafka::ErrorCode code = consumer_->resume(list.Items());
  if (code != RdKafka::ERR_NO_ERROR) {
    Log(LogLevel::kWarning, "kafka resume failed", {{"error", RdKafka::err2str(code)}});
  }
}

std::vector<TopicPartition> KafkaConsumer::Assignment() const {
  std::lock_guard lock(mutex_);
  return assignment_;
}

bool KafkaConsumer::Ready() const {
  if (fatal_.load() || closed_.load()) return false;
  if (group_up_.load()) return true;
  std::lock_guard lock(mutex_);
  return !assignment_.empty();
}

std::vector<KafkaConsumer::PartitionLag> KafkaConsumer::Lags() const {
  std::lock_guard lock(mutex_);
  std::vector<PartitionLag> result;
  for (const TopicPartition& partition : assignment_) {
    const auto found = lags_.find(partition);
    if (found != lags_.end()) result.push_back({partition, found->second});
  }
  return result;
}

void KafkaConsumer::Close() {
  if (closed_.exchange(true)) return;
  const RdKafka::ErrorCode code = consumer_->close();  // runs the revoke callback, leaves
  if (code != RdKafka::ERR_NO_ERROR) {
    Log(LogLevel::kWarning, "kafka consumer close", {{"error", RdKafka::err2str(code)}});
  }
}

void KafkaConsumer::OnRebalance(bool assign, bool cooperative, bool lost,
                                const std::vector<TopicPartition>& partitions) {
  {
    std::lock_guard lock(mutex_);
    if (assign) {
      if (!cooperative) assignment_.clear();
      assignment_.insert(assignment_.end(), partitions.begin(), partitions.end());
    } else {
      // The owner still sees the partitions in Assignment() while it finishes them.
    }
  }
  const char* protocol = cooperative ? "cooperative" : "eager";
  if (assign) {
    Log(LogLevel::kInfo, "partitions assigned",
        {{"count", static_cast<int>(partitions.size())}, {"protocol", protocol}});
    if (listener_.assigned) listener_.assigned(partitions);
    return;
  }
  Log(LogLevel::kInfo, "partitions revoked",
      {{"count", static_cast<int>(partitions.size())},
       {"lost", lost ? "true" : "false"},
       {"protocol", protocol}});
  if (listener_.revoked) listener_.revoked(partitions, lost);
  std::lock_guard lock(mutex_);
  std::erase_if(assignment_, [&](const TopicPartition& p) {
    return std::find(partitions.begin(), partitions.end(), p) != partitions.end();
  });
}

void KafkaConsumer::OnStatistics(const std::string& statistics) {
  const auto doc = json::Parse(statistics, json::InvalidUtf8::kKeep);
  if (!doc || !doc->IsObject()) return;
  if (const json::Value* cgrp = json::Find(*doc, "cgrp"); cgrp != nullptr && cgrp->IsObject()) {
    group_up_ = json::StringView(*cgrp, "state") == "up";
  }
  const json::Value* topics = json::Find(*doc, "topics");
  if (topics == nullptr || !topics->IsObject()) return;
  std::map<TopicPartition, std::int64_t> lags;
  for (const auto& topic : topics->GetObject()) {
    const json::Value* partitions = json::Find(topic.value, "partitions");
    if (partitions == nullptr || !partitions->IsObject()) continue;
    for (const auto& partition : partitions->GetObject()) {
      const auto id = json::Int(partition.value, "partition");
      const auto lag = json::Int(partition.value, "consumer_lag");
      if (!id || *id < 0 || !lag || *lag < 0) continue;
      lags[{std::string(json::View(topic.name)), static_cast<int>(*id)}] = *lag;
    }
  }
  std::lock_guard lock(mutex_);
  lags_ = std::move(lags);
}

}  // namespace switchboard
