#include "common/key_scheduler.hpp"

namespace switchboard {

bool KeyScheduler::Enqueue(const RecordKey& key, Ticket ticket) {
  std::deque<Ticket>& queue = keys_[key];
  queue.push_back(ticket);
  ++size_;
  return queue.size() == 1;
}

std::optional<KeyScheduler::Ticket> KeyScheduler::Finish(const RecordKey& key) {
  const auto found = keys_.find(key);
  if (found == keys_.end()) return std::nullopt;
  found->second.pop_front();
  --size_;
  if (found->second.empty()) {
    keys_.erase(found);  // keys come and go; keep only those with work
    return std::nullopt;
  }
  return found->second.front();
}

std::vector<KeyScheduler::Ticket> KeyScheduler::Forget(const TopicPartition& partition) {
  std::vector<Ticket> dropped;
  // Keys are ordered by partition first, so one partition's keys are one contiguous range.
  auto it = keys_.lower_bound(RecordKey{partition, std::string()});
  while (it != keys_.end() && it->first.partition == partition) {
    dropped.insert(dropped.end(), it->second.begin(), it->second.end());
    size_ -= it->second.size();
    it = keys_.erase(it);
  }
  return dropped;
}

}  // namespace switchboard
