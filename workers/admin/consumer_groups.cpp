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

/// The committed offsets of each of `groups` (every partition it committed to). The broker takes
/// one group per request: they are all sent at once, and their answers collected as they come.
std::map<std::string, std::map<TopicPartition, std::int64_t>> Committed(
    rd_kafka_t* handle, rd_kafka_queue_t* queue, std::chrono::milliseconds timeout,
    const std::vector<GroupLag>& groups) {
  const auto options = AdminOptions(handle, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout);
  for (const GroupLag& group : groups) {
    rd_kafka_ListConsumerGroupOffsets_t* request =
        rd_kafka_ListConsumerGroupOffsets_new(group.group.c_str(), nullptr);
    rd_kafka_ListConsumerGroupOffsets(handle, &request, 1, options.get(), queue);
    rd_kafka_ListConsumerGroupOffsets_destroy(request);
  }
  std::map<std::string, std::map<TopicPartition, std::int64_t>> committed;
  for (std::size_t answered = 0; answered < groups.size(); ++answered) {
    const Event event = Await(queue, timeout, "ListConsumerGroupOffsets");
    std::size_t count = 0;
    const rd_kafka_group_result_t** results = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::string group = rd_kafka_group_result_name(results[i]);
      if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[i])) {
        throw std::runtime_error("ListConsumerGroupOffsets " + group + ": " +
                                 rd_kafka_error_string(error));
      }
      auto& offsets = committed[group];
      const auto* partitions = rd_kafka_group_result_partitions(results[i]);
      for (int p = 0; partitions != nullptr && p < partitions->cnt; ++p) {
        const auto& item = partitions->elems[p];
        if (item.err == RD_KAFKA_RESP_ERR_NO_ERROR && item.offset >= 0) {
          offsets[{item.topic, item.partition}] = item.offset;
        }
      }
    }
  }
  return committed;
}

void ThrowIfCancelled(const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load()) throw std::runtime_error("consumer lag read cancelled");
}

/// Waiting offsets of one partition closer than this are read in one pass (the records between
/// them are read too); farther apart, in separate rounds.
constexpr std::int64_t kOnePassGap = 5000;

/// The timestamp of the first record at or after each of `waiting` (the oldest record a group has
/// not consumed; a record retention deleted is not waiting). Each round assigns every partition
/// at once, at the first offset of one run of close offsets, and reads forward until the run's
/// last offset is stamped; so many groups at different offsets of one partition cost one pass,
/// not one round each. A position whose record does not come within `timeout` is left out.
std::map<TopicPartitionOffset, std::int64_t> TimestampsAt(
    PartitionReader& reader, const std::set<TopicPartitionOffset>& waiting,
    std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) {
  // Per partition, its offsets (ascending: the set's order) cut into runs of close offsets.
  std::map<TopicPartition, std::vector<std::vector<std::int64_t>>> runs;
  for (const TopicPartitionOffset& position : waiting) {
    auto& partition_runs = runs[position.partition];
    if (partition_runs.empty() || position.offset - partition_runs.back().back() > kOnePassGap) {
      partition_runs.emplace_back();
    }
    partition_runs.back().push_back(position.offset);
  }
  std::map<TopicPartitionOffset, std::int64_t> stamps;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (std::size_t round = 0; std::chrono::steady_clock::now() < deadline; ++round) {
    std::map<TopicPartition, const std::vector<std::int64_t>*> reading;
    std::vector<TopicPartitionOffset> starts;
    for (const auto& [partition, partition_runs] : runs) {
      if (round >= partition_runs.size()) continue;
      reading[partition] = &partition_runs[round];
      starts.push_back({partition, partition_runs[round].front()});
    }
    if (starts.empty()) break;
    if (auto error = reader.Assign(starts)) throw std::runtime_error(error->message);
    std::map<TopicPartition, std::size_t> next;  // the first offset of the run not stamped yet
    std::size_t done = 0;
    while (done < reading.size() && std::chrono::steady_clock::now() < deadline) {
      ThrowIfCancelled(cancel);
      Result<std::optional<ConsumedRecord>> polled = reader.Poll(std::chrono::milliseconds(100));
      if (!polled.ok()) throw std::runtime_error(polled.error().message);
      if (!polled.value()) continue;
      const ConsumedRecord& record = **polled;
      const TopicPartition place{record.topic, record.partition};
      const auto run = reading.find(place);
      if (run == reading.end()) continue;
      const std::vector<std::int64_t>& offsets = *run->second;
      std::size_t& i = next[place];
      if (i == offsets.size()) continue;  // fetched before the pause
      while (i < offsets.size() && offsets[i] <= record.offset) {
        stamps[{place, offsets[i++]}] = record.timestamp_ms;
      }
      if (i == offsets.size()) {
        reader.Pause(place);  // the run is stamped: stop fetching the rest of the partition
        ++done;
      }
    }
  }
  reader.Assign({});
  return stamps;
}

bool StageGroup(const std::string& group) {
  return group.starts_with("switchboard-");
}

/// ReadConsumerLag without the broker's last error.
std::vector<GroupLag> ReadLag(PartitionReader& reader, const std::optional<std::string>& only_group,
                              std::int64_t now_ms, std::chrono::milliseconds timeout,
                              const std::atomic<bool>* cancel) {
  rd_kafka_t* handle = reader.Handle().c_ptr();
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(handle));
  std::map<std::string, std::string> listed = ListGroups(handle, queue.get(), timeout);
  std::vector<GroupLag> groups;
  for (const auto& [name, state] : listed) {
    if (!only_group || name == *only_group)
      groups.push_back({.group = name, .state = state, .sampled_at_ms = now_ms});
  }
  std::map<std::string, std::vector<TopicPartition>> assigned;
  Describe(handle, queue.get(), timeout, groups, assigned);
  std::map<std::string, std::map<TopicPartition, std::optional<std::int64_t>>> read;
  std::set<TopicPartition> every;
  for (auto& [group, offsets] : Committed(handle, queue.get(), timeout, groups)) {
    for (const auto& [partition, offset] : offsets) read[group][partition] = offset;
  }
  for (const GroupLag& group : groups) {
    for (const TopicPartition& partition : assigned[group.group]) {
      read[group.group].try_emplace(partition);
    }
    for (const auto& [partition, committed] : read[group.group]) every.insert(partition);
  }
  ThrowIfCancelled(cancel);
  // Many groups read the same partitions: every partition's watermarks in one batch.
  const std::vector<TopicPartition> partitions(every.begin(), every.end());
  const Result<std::vector<Watermarks>> marks = reader.QueryWatermarks(partitions, timeout);
  if (!marks.ok()) throw std::runtime_error(marks.error().message);
  std::map<TopicPartition, Watermarks> watermarks;
  for (std::size_t i = 0; i < partitions.size(); ++i) watermarks[partitions[i]] = (*marks)[i];
  for (GroupLag& group : groups) {
    for (const auto& [partition, committed] : read[group.group]) {
      const std::int64_t end = watermarks[partition].high;
      group.partitions.push_back({.topic = partition.topic,
                                  .partition = partition.partition,
                                  .committed = committed,
                                  .end = end,
                                  .lag = LagOf(committed, end)});
    }
  }

  std::set<TopicPartitionOffset> waiting;
  for (const GroupLag& group : groups) {
    for (const PartitionLag& partition : group.partitions) {
      // Records retention deleted are no longer waiting: nothing to read when none is left.
      const TopicPartition place{partition.topic, partition.partition};
      if (partition.lag.value_or(0) > 0 && watermarks[place].low < partition.end) {
        waiting.insert({place, *partition.committed});
      }
    }
  }
  const std::map<TopicPartitionOffset, std::int64_t> stamps =
      TimestampsAt(reader, waiting, timeout, cancel);
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

}  // namespace

std::vector<GroupLag> ReadConsumerLag(PartitionReader& reader,
                                      const std::optional<std::string>& only_group,
                                      std::int64_t now_ms, std::chrono::milliseconds timeout,
                                      const std::atomic<bool>* cancel) {
  try {
    return ReadLag(reader, only_group, now_ms, timeout, cancel);
  } catch (const std::runtime_error& e) {
    // "Timed out" alone does not say that the password was refused or the brokers are down.
    const std::string why = reader.LastBrokerError();
    if (why.empty()) throw;
    throw std::runtime_error(std::string(e.what()) + " (last broker error: " + why + ")");
  }
}

}  // namespace switchboard::admin
