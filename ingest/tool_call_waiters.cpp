#include "ingest/tool_call_waiters.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchboard::ingest {

namespace asio = boost::asio;

class ToolCallWaiters::Pending {
 public:
  Pending(asio::any_io_executor executor, std::vector<std::string> ids)
      : timer(std::move(executor)),
        correlation_ids(std::move(ids)),
        results(correlation_ids.size()),
        missing(correlation_ids.size()) {}

  // The timer doubles as the waiter: it expires at the deadline, and the last result cancels it
  // through the request's strand, so a cancel never runs before the request waits on it.
  asio::steady_timer timer;
  const std::vector<std::string> correlation_ids;
  std::vector<std::optional<topics::ToolCallResult>> results;
  std::size_t missing;
};

ToolCallWaiters::ToolCallWaiters() = default;
ToolCallWaiters::~ToolCallWaiters() = default;

std::shared_ptr<ToolCallWaiters::Pending> ToolCallWaiters::Expect(
    asio::any_io_executor executor, std::vector<std::string> correlation_ids) {
  auto pending = std::make_shared<Pending>(std::move(executor), std::move(correlation_ids));
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < pending->correlation_ids.size(); ++i) {
    slots_[pending->correlation_ids[i]] = {pending, i};
  }
  return pending;
}

asio::awaitable<std::vector<std::optional<topics::ToolCallResult>>> ToolCallWaiters::Wait(
    std::shared_ptr<Pending> pending, std::chrono::steady_clock::time_point deadline) {
  bool complete = false;
  {
    std::lock_guard lock(mutex_);
    complete = pending->missing == 0;
  }
  if (!complete) {
    pending->timer.expires_at(deadline);
    boost::system::error_code ignored;  // cancelled (all in) or expired: Take tells which
    co_await pending->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return Take(pending);
}

void ToolCallWaiters::Forget(const std::shared_ptr<Pending>& pending) {
  (void)Take(pending);
}

std::vector<std::optional<topics::ToolCallResult>> ToolCallWaiters::Take(
    const std::shared_ptr<Pending>& pending) {
  std::lock_guard lock(mutex_);
  for (const std::string& id : pending->correlation_ids) slots_.erase(id);
  return std::move(pending->results);
}

ToolCallWaiters::Delivery ToolCallWaiters::Deliver(topics::ToolCallResult result) {
  std::shared_ptr<Pending> completed;
  {
    std::lock_guard lock(mutex_);
    const auto slot = slots_.find(result.correlation_id);
    if (slot == slots_.end()) return Delivery::kUnknown;
    Pending& pending = *slot->second.pending;
    std::optional<topics::ToolCallResult>& place = pending.results[slot->second.index];
    if (place) return Delivery::kDuplicate;
    place = std::move(result);
    if (--pending.missing == 0) completed = slot->second.pending;
  }
  if (completed)
    asio::post(completed->timer.get_executor(), [completed] { completed->timer.cancel(); });
  return Delivery::kDelivered;
}

std::size_t ToolCallWaiters::Waiting() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace switchboard::ingest
