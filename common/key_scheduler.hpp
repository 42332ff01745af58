#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/topic_partition.hpp"

namespace switchboard {

/// What orders records: records with the same key in the same partition run one after another.
struct RecordKey {
  TopicPartition partition;
  std::string key;

  auto operator<=>(const RecordKey&) const = default;
};

/// A per-key FIFO: says which record may start now. A record starts only after the previous
/// record of its key finished; records of different keys run independently. Records are named
/// by caller-chosen tickets. Not thread-safe.
class KeyScheduler final {
 public:
  using Ticket = std::uint64_t;

  /// Queues `ticket` behind the records of `key`; true when it may start at once (its key had
  /// nothing queued or running).
  bool Enqueue(const RecordKey& key, Ticket ticket);

  /// The running record of `key` finished: the next ticket of that key, which may start now.
  /// std::nullopt when the key has nothing waiting (or is unknown, e.g. forgotten).
  std::optional<Ticket> Finish(const RecordKey& key);

  /// Drops every key of `partition`; returns the tickets it held (running first of each key).
  std::vector<Ticket> Forget(const TopicPartition& partition);

  /// Tickets queued or running.
  std::size_t Size() const { return size_; }

 private:
  std::map<RecordKey, std::deque<Ticket>> keys_;  // front is the running record of the key
  std::size_t size_ = 0;
};

}  // namespace switchboard
