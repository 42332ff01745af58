#include "workers/admin/topic_replay.hpp"

#include <chrono>
#include <map>
#include <stdexcept>

namespace switchboard::admin {
namespace {

constexpr std::chrono::milliseconds kBrokerTimeout{10000};

std::int64_t OffsetOrThrow(const Result<std::vector<std::int64_t>>& offsets, std::size_t i) {
  if (!offsets.ok()) throw std::runtime_error(offsets.error().message);
  return offsets.value().at(i);
}

}  // namespace

std::vector<ReplayRange> PlanReplay(PartitionReader& reader, const ReplayRequest& request) {
  const Result<std::vector<std::int32_t>> all = reader.Partitions(request.topic, kBrokerTimeout);
  if (!all.ok()) throw std::runtime_error(all.error().message);
  std::vector<TopicPartition> partitions;
  for (const std::int32_t partition : all.value()) {
    if (!request.partition || *request.partition == partition) {
      partitions.push_back({request.topic, partition});
    }
  }
  if (partitions.empty()) {
    throw std::runtime_error("topic " + request.topic + " has no partition " +
                             std::to_string(*request.partition));
  }
  std::optional<Result<std::vector<std::int64_t>>> from_time;
  std::optional<Result<std::vector<std::int64_t>>> to_time;
  if (request.from_time_ms) {
    from_time = reader.OffsetsForTime(partitions, *request.from_time_ms, kBrokerTimeout);
  }
  if (request.to_time_ms) {
    to_time = reader.OffsetsForTime(partitions, *request.to_time_ms, kBrokerTimeout);
  }
  const Result<std::vector<Watermarks>> marks = reader.QueryWatermarks(partitions, kBrokerTimeout);
  if (!marks.ok()) throw std::runtime_error(marks.error().message);
  std::vector<ReplayRange> ranges;
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const std::int64_t from =
        from_time ? OffsetOrThrow(*from_time, i) : request.from_offset.value_or(0);
    std::optional<std::int64_t> to = request.to_offset;
    if (to_time) to = OffsetOrThrow(*to_time, i);
    ranges.push_back(RangeFor(partitions[i], (*marks)[i], from, to));
  }
  return ranges;
}

ReplayCounts RunReplay(PartitionReader& reader, const std::vector<ReplayRange>& ranges,
                       const std::optional<std::string>& tenant,
                       const std::function<void(const ConsumedRecord&)>& write,
                       const std::atomic<bool>& stop,
                       const std::function<void(std::int64_t read)>& progress) {
  using Clock = std::chrono::steady_clock;
  std::map<TopicPartition, const ReplayRange*> open;
  std::vector<TopicPartitionOffset> positions;
  for (const ReplayRange& range : ranges) {
    if (range.Records() <= 0) continue;
    open.emplace(range.partition, &range);
    positions.push_back({range.partition, range.from});
  }
  ReplayCounts counts;
  if (open.empty()) return counts;
  if (auto error = reader.Assign(positions)) throw std::runtime_error(error->message);
  Clock::time_point next_report = Clock::now();
  while (!open.empty()) {
    if (stop.load()) {
      counts.interrupted = true;
      break;
    }
    Result<std::optional<ConsumedRecord>> polled = reader.Poll(std::chrono::milliseconds(100));
    if (!polled.ok()) throw std::runtime_error(polled.error().message);
    if (polled.value()) {
      const ConsumedRecord& record = **polled;
      const auto found = open.find({record.topic, record.partition});
      // Past a finished range's end (the fetch ran ahead): not part of the replay.
      if (found != open.end() && record.offset < found->second->to) {
        ++counts.read;
        const std::optional<std::string_view> of = FindHeader(record.headers, "tenant");
        if (tenant && of != std::optional<std::string_view>(*tenant)) {
          ++counts.skipped;
        } else {
          write(record);
          ++counts.written;
        }
        if (found->second->DoneAt(record.offset + 1)) open.erase(found);
      }
    }
    if (Clock::now() >= next_report) {
      progress(counts.read);
      next_report = Clock::now() + std::chrono::milliseconds(200);
    }
  }
  progress(counts.read);
  if (auto error = reader.Assign({})) throw std::runtime_error(error->message);
  return counts;
}

}  // namespace switchboard::admin
