#pragma once

#include <utility>  // before Asio 1.18's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/topics/tools_results.hpp"

namespace switchboard::ingest {

/// The tool calls whose results this ingest instance waits for, by correlation id: an HTTP
/// request registers its calls before producing them (Expect), the tools.results listener hands
/// over each result that names this instance (Deliver), and the request resumes when every
/// result is in or its deadline passed (Wait). Thread-safe.
class ToolCallWaiters final {
 public:
  /// One request's calls.
  class Pending;

  /// What became of a delivered result.
  enum class Delivery {
    kDelivered,  ///< a waiting request took it
    kDuplicate,  ///< that call's result was already in (the tools stage answered twice)
    kUnknown,    ///< no request waits for it: late (past its deadline), or from before a restart
  };

  ToolCallWaiters();
  ~ToolCallWaiters();

  /// Registers one request's calls (`correlation_ids` in call order, each unique) on `executor`,
  /// the request's strand: results are handed over through it.
  std::shared_ptr<Pending> Expect(boost::asio::any_io_executor executor,
                                  std::vector<std::string> correlation_ids);

  /// Waits until every result of `pending` is in or `deadline` passed, then forgets it; the
  /// results in call order, nullopt for each still missing (a later Deliver of it is kUnknown).
  boost::asio::awaitable<std::vector<std::optional<topics::ToolCallResult>>> Wait(
      std::shared_ptr<Pending> pending, std::chrono::steady_clock::time_point deadline);

  /// Forgets `pending` without waiting (its calls could not be produced).
  void Forget(const std::shared_ptr<Pending>& pending);

  /// Hands `result` to the request waiting for its correlation id.
  Delivery Deliver(topics::ToolCallResult result);

  /// Calls waited for now.
  std::size_t Waiting() const;

 private:
  struct Slot {
    std::shared_ptr<Pending> pending;
    std::size_t index = 0;
  };

  std::vector<std::optional<topics::ToolCallResult>> Take(const std::shared_ptr<Pending>& pending);

  mutable std::mutex mutex_;  // guards slots_ and every Pending's results
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace switchboard::ingest
