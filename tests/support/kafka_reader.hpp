#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka_record.hpp"

namespace switchboard::testing {

/// Reads what is written to one topic after the reader was made (no consumer group).
class TopicReader final {
 public:
  /// Remembers the end of every partition of `topic` now; throws when the broker does not answer.
  TopicReader(const std::string& brokers, const std::string& topic);
  ~TopicReader();

  /// Records written since construction, waiting until there are at least `count` or `timeout`
  /// passed (then returns what there is).
  std::vector<ConsumedRecord> ReadAtLeast(std::size_t count, std::chrono::milliseconds timeout);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Commits the current end of every partition of `topics` for `group`, so that a group that
/// never ran starts with the records produced from now on, not with the topics' history.
void StartGroupAtEnd(const std::string& brokers, const std::string& group,
                     const std::vector<std::string>& topics);

/// The environment variable `name`; fails the current test with a clear message when unset
/// (integration tests need tests/run's services).
std::string RequireEnv(const char* name);

}  // namespace switchboard::testing
