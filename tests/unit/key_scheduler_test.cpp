#include "common/key_scheduler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

namespace switchboard {
namespace {

const TopicPartition kP0{"messages.resolved", 0};
const TopicPartition kP1{"messages.resolved", 1};

TEST_CASE("KeyScheduler runs one record per key, in order, and other keys at once") {
  KeyScheduler scheduler;
  const RecordKey a{kP0, "conversation-a"};
  const RecordKey b{kP0, "conversation-b"};
  CHECK(scheduler.Enqueue(a, 1));        // a idle: starts
  CHECK(scheduler.Enqueue(b, 2));        // another key: starts too
  CHECK_FALSE(scheduler.Enqueue(a, 3));  // waits for 1
  CHECK_FALSE(scheduler.Enqueue(a, 4));  // waits for 3
  CHECK(scheduler.Size() == 4);

  CHECK_FALSE(scheduler.Finish(b));  // b had nothing waiting
  CHECK(scheduler.Finish(a) == 3);   // next of a, in arrival order
  CHECK(scheduler.Finish(a) == 4);
  CHECK_FALSE(scheduler.Finish(a));
  CHECK(scheduler.Size() == 0);
  CHECK(scheduler.Enqueue(a, 5));  // a idle again
}

TEST_CASE("KeyScheduler keeps the same key in different partitions apart") {
  KeyScheduler scheduler;
  CHECK(scheduler.Enqueue({kP0, "k"}, 1));
  CHECK(scheduler.Enqueue({kP1, "k"}, 2));
  CHECK(scheduler.Enqueue({{"other.topic", 0}, "k"}, 3));
}

TEST_CASE("KeyScheduler forgets a revoked partition and only it") {
  KeyScheduler scheduler;
  CHECK(scheduler.Enqueue({kP0, "a"}, 1));
  CHECK_FALSE(scheduler.Enqueue({kP0, "a"}, 2));
  CHECK(scheduler.Enqueue({kP0, ""}, 3));  // records without a key share the empty key
  CHECK(scheduler.Enqueue({kP1, "a"}, 4));
  CHECK_FALSE(scheduler.Enqueue({kP1, "a"}, 5));

  auto dropped = scheduler.Forget(kP0);
  std::sort(dropped.begin(), dropped.end());
  CHECK(dropped == std::vector<KeyScheduler::Ticket>{1, 2, 3});
  CHECK(scheduler.Size() == 2);
  CHECK_FALSE(scheduler.Finish({kP0, "a"}));  // the running record 1 finishing late
  CHECK(scheduler.Finish({kP1, "a"}) == 5);
}

}  // namespace
}  // namespace switchboard
