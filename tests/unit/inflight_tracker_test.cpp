#include "common/inflight_tracker.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

namespace switchboard {
namespace {

const TopicPartition kP0{"messages.inbound", 0};
const TopicPartition kP1{"messages.inbound", 1};

TEST_CASE("InflightTracker commits only the contiguous finished prefix") {
  InflightTracker tracker;
  for (std::int64_t offset = 10; offset < 15; ++offset) tracker.Add(kP0, offset);
  CHECK_FALSE(tracker.Committable(kP0));

  // 12 and 13 finish first: 10 is still running, so nothing may be committed.
  CHECK(tracker.Finish(kP0, 12));
  CHECK(tracker.Finish(kP0, 13));
  CHECK_FALSE(tracker.Committable(kP0));
  CHECK(tracker.Unfinished(kP0) == 3);

  CHECK(tracker.Finish(kP0, 10));
  CHECK(tracker.Committable(kP0) == 11);  // 11 still runs

  CHECK(tracker.Finish(kP0, 11));
  CHECK(tracker.Committable(kP0) == 14);  // 10..13 done, 14 not

  CHECK(tracker.Finish(kP0, 14));
  CHECK(tracker.Committable(kP0) == 15);
  CHECK(tracker.Unfinished(kP0) == 0);
}

TEST_CASE("InflightTracker handles offset gaps, commit marks and double finishes") {
  InflightTracker tracker;
  tracker.Add(kP0, 3);
  tracker.Add(kP0, 7);  // 4..6 compacted away
  CHECK(tracker.Finish(kP0, 7));
  CHECK_FALSE(tracker.Committable(kP0));
  CHECK(tracker.Finish(kP0, 3));
  CHECK(tracker.Committable(kP0) == 8);
  CHECK_FALSE(tracker.Finish(kP0, 3));  // already finished
  CHECK_FALSE(tracker.Finish(kP0, 5));  // never tracked

  tracker.MarkCommitted(kP0, 8);
  CHECK_FALSE(tracker.Committable(kP0));  // nothing new since the commit
  CHECK(tracker.AllCommittable().empty());
  tracker.Add(kP0, 8);
  CHECK(tracker.Finish(kP0, 8));
  CHECK(tracker.Committable(kP0) == 9);
  CHECK_THROWS_AS(tracker.Add(kP0, 8), std::logic_error);  // offsets only grow
}

TEST_CASE("InflightTracker keeps partitions apart and forgets a revoked one") {
  InflightTracker tracker;
  tracker.Add(kP0, 0);
  tracker.Add(kP1, 0);
  tracker.Add(kP1, 1);
  CHECK(tracker.Finish(kP1, 1));
  CHECK(tracker.Finish(kP0, 0));
  auto all = tracker.AllCommittable();
  REQUIRE(all.size() == 1);
  CHECK(all[0] == TopicPartitionOffset{kP0, 1});

  tracker.Forget(kP1);
  CHECK(tracker.Unfinished(kP1) == 0);
  CHECK_FALSE(tracker.Finish(kP1, 0));  // a record abandoned on revoke finishing late
  CHECK_FALSE(tracker.Committable(kP1));
  tracker.Add(kP1, 0);  // reassigned: starts again from the committed position
  CHECK(tracker.Unfinished(kP1) == 1);
}

}  // namespace
}  // namespace switchboard
