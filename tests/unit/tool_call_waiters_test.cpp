#include <doctest/doctest.h>

#include <utility>  // before Asio 1.18's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "ingest/tool_call_waiters.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::ingest;
using Results = std::vector<std::optional<topics::ToolCallResult>>;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

topics::ToolCallResult ResultFor(const std::string& correlation_id, const std::string& text) {
  return {.tool_call_id = "tc-" + correlation_id, .correlation_id = correlation_id, .text = text};
}

Results Run(boost::asio::io_context& io, ToolCallWaiters& waiters,
            std::shared_ptr<ToolCallWaiters::Pending> pending, steady_clock::time_point deadline) {
  auto future = boost::asio::co_spawn(io, waiters.Wait(std::move(pending), deadline),
                                      boost::asio::use_future);
  io.run();
  io.restart();
  return future.get();
}

}  // namespace

TEST_CASE("tool call waiters: results in call order whatever order they come in") {
  boost::asio::io_context io;
  ToolCallWaiters waiters;
  auto pending = waiters.Expect(io.get_executor(), {"a", "b", "c"});
  CHECK(waiters.Waiting() == 3);
  // Delivered while the request waits, last first (the listener's thread in production).
  boost::asio::post(io, [&] {
    CHECK(waiters.Deliver(ResultFor("c", "third")) == ToolCallWaiters::Delivery::kDelivered);
    CHECK(waiters.Deliver(ResultFor("c", "again")) == ToolCallWaiters::Delivery::kDuplicate);
    CHECK(waiters.Deliver(ResultFor("a", "first")) == ToolCallWaiters::Delivery::kDelivered);
    CHECK(waiters.Deliver(ResultFor("b", "second")) == ToolCallWaiters::Delivery::kDelivered);
  });
  const auto started = steady_clock::now();
  const Results results = Run(io, waiters, pending, started + std::chrono::seconds(30));
  CHECK(steady_clock::now() - started < std::chrono::seconds(5));  // not the deadline
  REQUIRE(results.size() == 3);
  CHECK(results[0]->text == "first");
  CHECK(results[1]->text == "second");
  CHECK(results[2]->text == "third");
  CHECK(waiters.Waiting() == 0);
}

TEST_CASE("tool call waiters: everything in before the wait returns at once") {
  boost::asio::io_context io;
  ToolCallWaiters waiters;
  auto pending = waiters.Expect(io.get_executor(), {"x"});
  CHECK(waiters.Deliver(ResultFor("x", "early")) == ToolCallWaiters::Delivery::kDelivered);
  const Results results = Run(io, waiters, pending, steady_clock::now() + std::chrono::seconds(30));
  REQUIRE(results.size() == 1);
  CHECK(results[0]->text == "early");
}

TEST_CASE("tool call waiters: the deadline leaves the missing ones empty, later ones are unknown") {
  boost::asio::io_context io;
  ToolCallWaiters waiters;
  auto pending = waiters.Expect(io.get_executor(), {"p", "q"});
  CHECK(waiters.Deliver(ResultFor("q", "in time")) == ToolCallWaiters::Delivery::kDelivered);
  const Results results = Run(io, waiters, pending, steady_clock::now() + milliseconds(50));
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0].has_value());
  CHECK(results[1]->text == "in time");
  CHECK(waiters.Deliver(ResultFor("p", "late")) == ToolCallWaiters::Delivery::kUnknown);
  CHECK(waiters.Deliver(ResultFor("never-asked", "?")) == ToolCallWaiters::Delivery::kUnknown);

  auto forgotten = waiters.Expect(io.get_executor(), {"f"});
  waiters.Forget(forgotten);
  CHECK(waiters.Waiting() == 0);
  CHECK(waiters.Deliver(ResultFor("f", "late")) == ToolCallWaiters::Delivery::kUnknown);
}
