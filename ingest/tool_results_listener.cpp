#include "ingest/tool_results_listener.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/kafka_consumer.hpp"
#include "common/log.hpp"
#include "common/topics/tools_results.hpp"

namespace switchboard::ingest {

struct ToolResultsListener::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : family(prometheus::BuildCounter()
                   .Name("switchboard_vapi_tool_results_total")
                   .Help("Records of tools.results read by this ingest instance, by outcome "
                         "(delivered, late, duplicate, other_instance, unreadable)")
                   .Register(registry)),
        delivered(family.Add({{"outcome", "delivered"}})),
        late(family.Add({{"outcome", "late"}})),
        duplicate(family.Add({{"outcome", "duplicate"}})),
        other_instance(family.Add({{"outcome", "other_instance"}})),
        unreadable(family.Add({{"outcome", "unreadable"}})) {}

  prometheus::Family<prometheus::Counter>& family;
  prometheus::Counter& delivered;
  prometheus::Counter& late;
  prometheus::Counter& duplicate;
  prometheus::Counter& other_instance;
  prometheus::Counter& unreadable;
};

ToolResultsListener::ToolResultsListener(std::string brokers, std::string instance_id,
                                         ToolCallWaiters& waiters, prometheus::Registry& registry)
    : brokers_(std::move(brokers)),
      instance_id_(std::move(instance_id)),
      waiters_(waiters),
      metrics_(std::make_unique<Metrics>(registry)),
      thread_([this] { Run(); }) {}

ToolResultsListener::~ToolResultsListener() {
  stopping_ = true;
  thread_.join();
}

bool ToolResultsListener::Ready() const {
  return ready_.load();
}

bool ToolResultsListener::WaitUntilReady(std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!ready_.load()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void ToolResultsListener::Run() {
  try {
    KafkaConsumer consumer(
        {.brokers = brokers_,
         .group_id = "switchboard-ingest-" + instance_id_,
         .client_id = "switchboard-ingest-results",
         .topics = {std::string(topics::ToolsResults::kTopic)},
         .session_timeout = std::chrono::milliseconds(10000),
         .statistics_interval = std::chrono::milliseconds(0),
         .offset_reset = "latest"},
        {.assigned = [this](const std::vector<TopicPartition>&) { ready_ = true; },
         .revoked = [this](const std::vector<TopicPartition>&, bool) { ready_ = false; }});
    while (!stopping_) {
      auto polled = consumer.Poll(std::chrono::milliseconds(100));
      if (!polled.ok()) {
        Log(LogLevel::kWarning, "tools.results consumer error",
            {{"error", polled.error().message}});
        continue;
      }
      if (!polled.value()) continue;
      const ConsumedRecord& record = **polled;
      const auto reply_to = topics::ToolsResults::ReplyTo(record);
      if (reply_to && *reply_to != instance_id_) {
        metrics_->other_instance.Increment();
        continue;
      }
      auto result = topics::ToolsResults::Decode(record);
      if (!result.ok()) {
        metrics_->unreadable.Increment();
        Log(LogLevel::kWarning, "tools.results record unreadable; dropped",
            {{"partition", record.partition},
             {"offset", record.offset},
             {"error", result.error().message}});
        continue;
      }
      if (result->reply_to != instance_id_) {
        metrics_->other_instance.Increment();
        continue;
      }
      const std::string tool_call_id = result->tool_call_id;
      const std::string correlation_id = result->correlation_id;
      switch (waiters_.Deliver(std::move(result).value())) {
        case ToolCallWaiters::Delivery::kDelivered:
          metrics_->delivered.Increment();
          break;
        case ToolCallWaiters::Delivery::kDuplicate:
          metrics_->duplicate.Increment();
          break;
        case ToolCallWaiters::Delivery::kUnknown:
          metrics_->late.Increment();
          Log(LogLevel::kWarning, "tool result arrived after its deadline; dropped",
              {{"tool_call_id", tool_call_id}, {"correlation_id", correlation_id}});
          break;
      }
    }
    consumer.Close();
  } catch (const std::exception& e) {
    ready_ = false;
    Log(LogLevel::kError, "tools.results listener stopped", {{"error", e.what()}});
  }
}

}  // namespace switchboard::ingest
