#include "workers/admin/consumer_groups.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace switchboard::admin {
namespace {

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
};
struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

/// One admin request's answer: waits on `queue` for the result event, throws on a request error.
Event Await(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout, const char* what) {
  Event event(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 2000));
  if (!event) throw std::runtime_error(std::string("no answer from the broker to ") + what);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string(what) + ": " + rd_kafka_event_error_string(event.get()));
  }
  return event;
}

std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> AdminOptions(
    rd_kafka_t* handle, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
  std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> options(
      rd_kafka_AdminOptions_new(handle, op));
  char error[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), error,
                                            sizeof error);
  return options;
}

/// The group ids and states the cluster lists.
std::map<std::string, std::string> ListGroups(rd_kafka_t* handle, rd_kafka_queue_t* queue,
                                              std::chrono::milliseconds timeout) {
  const auto options = AdminOptions(handle, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout);
  rd_kafka_ListConsumerGroups(handle, options.get(), queue);
  const Event event = Await(queue, timeout, "ListConsumerGroups");
  const auto* result = rd_kafka_event_ListConsumerGroups_result(event.get());
  std::size_t count = 0;
  const rd_kafka_ConsumerGroupListing_t** listed =
      rd_kafka_ListConsumerGroups_result_valid(result, &count);
  std::map<std::string, std::string> groups;
  for (std::size_t i = 0; i < count; ++i) {
    groups[rd_kafka_ConsumerGroupListing_group_id(listed[i])] =
        rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(listed[i]));
  }
  std::size_t errors = 0;
  const rd_kafka_error_t** failed = rd_kafka_ListConsumerGroups_result_errors(result, &errors);
  if (errors > 0) {
    throw std::runtime_error(std::string("ListConsumerGroups: ") +
                             rd_kafka_error_string(failed[0]));
  }
  return groups;
}

/// State, members and the partitions assigned to them, of every group of `groups` (one request).
void Describe(rd_kafka_t* handle, rd_kafka_queue_t* queue, std::chrono::milliseconds timeout,
              std::vector<GroupLag>& groups,
              std::map<std::string, std::vector<TopicPartition>>& assigned) {
  if (groups.empty()) return;
  const auto options = AdminOptions(handle, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout);
  std::vector<const char*> names;
  for (const GroupLag& group : groups) names.push_back(group.group.c_str());
  rd_kafka_DescribeConsumerGroups(handle, names.data(), names.size(), options.get(), queue);
  const Event event = Await(queue, timeout, "DescribeConsumerGroups");
  std::size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** described =
      rd_kafka_DescribeConsumerGroups_result_groups(
          rd_kafka_event_DescribeConsumerGroups_result(event.get()), &count);
  std::map<std::string, const rd_kafka_ConsumerGroupDescription_t*> by_name;
  for (std::size_t i = 0; i < count; ++i) {
    by_name[rd_kafka_ConsumerGroupDescription_group_id(described[i])] = described[i];
  }
  for (GroupLag& group : groups) {
    const auto found = by_name.find(group.group);
    if (found == by_name.end()) {
      throw std::runtime_error("DescribeConsumerGroups: no answer for " + group.group);
    }
    if (const rd_kafka_error_t* error = rd_kafka_ConsumerGroupDescription_error(found->second)) {
      throw std::runtime_error("DescribeConsumerGroups " + group.group + ": " +
                               rd_kafka_error_string(error));
    }
    group.state =
        rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(found->second));
    const std::size_t members = rd_kafka_ConsumerGroupDescription_member_count(found->second);
    group.members = static_cast<int>(members);
    for (std::size_t m = 0; m < members; ++m) {
      const auto* member = rd_kafka_ConsumerGroupDescription_member(found->second, m);
      const auto* partitions =
          rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(member));
      for (int p = 0; partitions != nullptr && p < partitions->cnt; ++p) {
        assigned[group.group].push_back(
            {partitions->elems[p].topic, partitions->elems[p].partition});
      }
    }
  }
}

/// The committed offsets of `group` (every partition it committed to).
std::map<TopicPartition, std::int64_t> Committed(rd_kafka_t* handle, rd_kafka_queue_t* queue,
                                                 std::chrono::milliseconds timeout,
                                                 const std::string& group) {
  const auto options = AdminOptions(handle, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout);
  rd_kafka_ListConsumerGroupOffsets_t* request =
      rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  rd_kafka_ListConsumerGroupOffsets(handle, &request, 1, options.get(), queue);
  rd_kafka_ListConsumerGroupOffsets_destroy(request);
  const Event event = Await(queue, timeout, "ListConsumerGroupOffsets");
  std::size_t count = 0;
  const rd_kafka_group_result_t** results = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &count);
  std::map<TopicPartition, std::int64_t> committed;
  for (std::size_t i = 0; i < count; ++i) {
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[i])) {
      throw std::runtime_error("ListConsumerGroupOffsets " + group + ": " +
                               rd_kafka_error_string(error));
    }
    const auto* partitions = rd_kafka_group_result_partitions(results[i]);
    for (int p = 0; partitions != nullptr && p < partitions->cnt; ++p) {
      const auto& item = partitions->elems[p];
      if (item.err == RD_KAFKA_RESP_ERR_NO_ERROR && item.offset >= 0) {
        committed[{item.topic, item.partition}] = item.offset;
      }
    }
  }
  return committed;
}

/// The timestamp of the record at each position, read by assigning them all at once. A
/// position whose record cannot be read within `timeout` (deleted meanwhile) is left out.
void ThrowIfCancelled(const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load()) throw std::runtime_error("consumer lag read cancelled");
}

std::map<TopicPartition, std::int64_t> TimestampsAt(
    PartitionReader& reader, const std::vector<TopicPartitionOffset>& positions,
    std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) {
  std::map<TopicPartition, std::int64_t> stamps;
  if (positions.empty()) return stamps;
  if (auto error = reader.Assign(positions)) throw std::runtime_error(error->message);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (stamps.size() < positions.size() && std::chrono::steady_clock::now() < deadline) {
    ThrowIfCancelled(cancel);
    Result<std::optional<ConsumedRecord>> polled = reader.Poll(std::chrono::milliseconds(100));
    if (!polled.ok()) throw std::runtime_error(polled.error().message);
    if (!polled.value()) continue;
    // The first record of each partition is the oldest one waiting (a record retention deleted
    // is no longer waiting: the reader starts from the first one kept).
    stamps.emplace(TopicPartition{(*polled)->topic, (*polled)->partition}, (*polled)->timestamp_ms);
  }
  reader.Assign({});
  return stamps;
}

bool StageGroup(const std::string& group) {
  return group.starts_with("switchboard-");
}

}  // namespace

std::vector<GroupLag> ReadConsumerLag(PartitionReader& reader,
                                      const std::optional<std::string>& only_group,
                                      std::int64_t now_ms, std::chrono::milliseconds timeout,
                                      const std::atomic<bool>* cancel) {
  rd_kafka_t* handle = reader.Handle().c_ptr();
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle));
  std::map<std::string, std::string> listed = ListGroups(handle, queue.get(), timeout);
  std::vector<GroupLag> groups;
  for (const auto& [name, state] : listed) {
    if (!only_group || name == *only_group) groups.push_back({.group = name, .state = state});
  }
  std::map<std::string, std::vector<TopicPartition>> assigned;
  Describe(handle, queue.get(), timeout, groups, assigned);
  // Many groups read the same partitions: ask for each end once.
  std::map<TopicPartition, std::int64_t> ends;
  for (GroupLag& group : groups) {
    ThrowIfCancelled(cancel);
    std::map<TopicPartition, std::optional<std::int64_t>> partitions;
    for (const auto& [partition, offset] : Committed(handle, queue.get(), timeout, group.group)) {
      partitions[partition] = offset;
    }
    for (const TopicPartition& partition : assigned[group.group]) partitions.try_emplace(partition);
    for (const auto& [partition, committed] : partitions) {
      auto end = ends.find(partition);
      if (end == ends.end()) {
        const Result<Watermarks> marks = reader.QueryWatermarks(partition, timeout);
        if (!marks.ok()) throw std::runtime_error(marks.error().message);
        end = ends.emplace(partition, marks->high).first;
      }
      group.partitions.push_back({.topic = partition.topic,
                                  .partition = partition.partition,
                                  .committed = committed,
                                  .end = end->second,
                                  .lag = LagOf(committed, end->second)});
    }
  }

  std::set<TopicPartitionOffset> waiting;
  for (const GroupLag& group : groups) {
    for (const PartitionLag& partition : group.partitions) {
      if (partition.lag.value_or(0) > 0) {
        waiting.insert({{partition.topic, partition.partition}, *partition.committed});
      }
    }
  }
  // Two groups can wait at different offsets of one partition: one round per offset.
  std::map<TopicPartitionOffset, std::int64_t> stamps;
  while (!waiting.empty()) {
    std::vector<TopicPartitionOffset> round;
    std::set<TopicPartitionOffset> later;
    for (const TopicPartitionOffset& position : waiting) {
      const bool taken = !round.empty() && round.back().partition == position.partition;
      if (taken) {
        later.insert(position);
      } else {
        round.push_back(position);
      }
    }
    const auto read = TimestampsAt(reader, round, timeout, cancel);
    for (const TopicPartitionOffset& position : round) {
      if (const auto found = read.find(position.partition); found != read.end()) {
        stamps[position] = found->second;
      }
    }
    waiting = std::move(later);
  }
  for (GroupLag& group : groups) {
    for (PartitionLag& partition : group.partitions) {
      if (!partition.lag) continue;
      const auto stamp =
          stamps.find({{partition.topic, partition.partition}, partition.committed.value_or(0)});
      partition.lag_seconds =
          stamp == stamps.end() ? 0.0 : LagSecondsOf(*partition.lag, stamp->second, now_ms);
    }
    group.status = EvaluateStatus({group});
  }
  std::stable_sort(groups.begin(), groups.end(), [](const GroupLag& a, const GroupLag& b) {
    return StageGroup(a.group) > StageGroup(b.group);
  });
  return groups;
}

}  // namespace switchboard::admin
