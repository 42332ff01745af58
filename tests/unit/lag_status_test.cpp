#include <doctest/doctest.h>

#include "common/json.hpp"
#include "workers/admin/lag_report.hpp"
#include "workers/admin/lag_status.hpp"

using namespace switchboard::admin;

namespace {

/// A group with one partition at `committed` of `end`, `members` members.
GroupLag Sample(std::int64_t committed, std::int64_t end, int members = 1) {
  GroupLag group{.group = "switchboard-resolver", .state = "Stable", .members = members};
  group.partitions.push_back({.topic = "messages.inbound",
                              .partition = 0,
                              .committed = committed,
                              .end = end,
                              .lag = LagOf(committed, end)});
  return group;
}

}  // namespace

TEST_CASE("lag arithmetic: records behind the end, never negative, none without a commit") {
  CHECK(LagOf(40, 100) == 60);
  CHECK(LagOf(100, 100) == 0);
  CHECK(LagOf(120, 100) == 0);  // a commit past a truncated end
  CHECK_FALSE(LagOf(std::nullopt, 100).has_value());
  CHECK(LagSecondsOf(5, 10'000, 12'500) == doctest::Approx(2.5));
  CHECK(LagSecondsOf(0, 10'000, 12'500) == 0.0);  // nothing waiting
  CHECK(LagSecondsOf(5, 13'000, 12'500) == 0.0);  // broker clock ahead of ours
}

TEST_CASE("status: a quiet partition at lag 0 is OK, whatever the window") {
  CHECK(EvaluateStatus({Sample(10, 10)}) == LagStatus::kOk);
  CHECK(EvaluateStatus({Sample(10, 10), Sample(10, 10), Sample(10, 10)}) == LagStatus::kOk);
  CHECK(EvaluateStatus({Sample(10, 10, 0)}) == LagStatus::kOk);  // no members, nothing to read
}

TEST_CASE("status: no members and lag > 0 is STOPPED, from one sample on") {
  CHECK(EvaluateStatus({Sample(10, 15, 0)}) == LagStatus::kStopped);
  CHECK(EvaluateStatus({Sample(10, 12), Sample(10, 15, 0)}) == LagStatus::kStopped);
}

TEST_CASE("status: members, lag > 0 and the committed offset still over the window is STALLED") {
  CHECK(EvaluateStatus({Sample(10, 15)}) == LagStatus::kOk);  // one sample cannot tell
  CHECK(EvaluateStatus({Sample(10, 15), Sample(10, 15), Sample(10, 18)}) == LagStatus::kStalled);
  CHECK(EvaluateStatus({Sample(9, 15), Sample(10, 15), Sample(10, 18)}) != LagStatus::kStalled);
}

TEST_CASE("status: lag growing from sample to sample is LAGGING, falling back is OK") {
  CHECK(EvaluateStatus({Sample(10, 12), Sample(11, 15), Sample(12, 20)}) == LagStatus::kLagging);
  CHECK(EvaluateStatus({Sample(10, 12), Sample(11, 15), Sample(14, 18)}) == LagStatus::kLagging);
  CHECK(EvaluateStatus({Sample(10, 20), Sample(15, 22), Sample(21, 24)}) == LagStatus::kOk);
  CHECK(EvaluateStatus({Sample(10, 12), Sample(11, 20), Sample(18, 21)}) == LagStatus::kOk);
}

TEST_CASE("status: the group shows its worst partition") {
  GroupLag newest = Sample(10, 10);
  newest.partitions.push_back(
      {.topic = "messages.inbound", .partition = 1, .committed = 3, .end = 9, .lag = 6});
  GroupLag older = Sample(10, 10);
  older.partitions.push_back(
      {.topic = "messages.inbound", .partition = 1, .committed = 3, .end = 7, .lag = 4});
  CHECK(EvaluateStatus({older, newest}) == LagStatus::kStalled);
}

TEST_CASE("LagWindow keeps the last samples of each group and forgets groups that left") {
  LagWindow window(3);
  for (const auto& [committed, end] : std::vector<std::pair<int, int>>{{0, 5}, {1, 9}, {2, 14}}) {
    std::vector<GroupLag> groups{Sample(committed, end)};
    window.Add(groups);
    if (end == 14) CHECK(groups[0].status == LagStatus::kLagging);
  }
  std::vector<GroupLag> caught_up{Sample(14, 14)};
  window.Add(caught_up);
  CHECK(caught_up[0].status == LagStatus::kOk);
  // Three samples with the committed offset still: the first growing samples have left.
  for (int i = 0; i < 3; ++i) {
    std::vector<GroupLag> groups{Sample(14, 20 + i)};
    window.Add(groups);
    if (i == 2) CHECK(groups[0].status == LagStatus::kStalled);
  }
  std::vector<GroupLag> none;
  window.Add(none);
  std::vector<GroupLag> back{Sample(14, 25)};
  window.Add(back);
  CHECK(back[0].status == LagStatus::kOk);  // its old samples were forgotten
}

TEST_CASE("throughput: committed offsets' advance over the window, per second") {
  GroupLag oldest = Sample(10, 40);
  oldest.sampled_at_ms = 1'000;
  oldest.partitions.push_back({.topic = "messages.inbound", .partition = 1, .end = 5});
  GroupLag newest = Sample(30, 40);
  newest.sampled_at_ms = 5'000;
  // Partition 1 was first committed in between: no advance is known for it.
  newest.partitions.push_back(
      {.topic = "messages.inbound", .partition = 1, .committed = 5, .end = 5, .lag = 0});
  newest.partitions.push_back(
      {.topic = "messages.inbound", .partition = 2, .committed = 7, .end = 9, .lag = 2});
  CHECK(ConsumedPerSecond(oldest, newest) == doctest::Approx(5.0));  // 20 records in 4 s
  CHECK_FALSE(ConsumedPerSecond(newest, newest).has_value());

  LagWindow window(3);
  for (int i = 0; i < 4; ++i) {
    std::vector<GroupLag> groups{Sample(100 * i, 100 * i + 10)};
    groups[0].sampled_at_ms = 2'000 * i;
    window.Add(groups);
    if (i == 0) CHECK_FALSE(groups[0].records_per_second.has_value());
    // From the oldest sample kept: 200 records in 4 s once the window is full.
    if (i == 3) CHECK(groups[0].records_per_second == doctest::Approx(50.0));
  }
}

TEST_CASE("lag JSON has the issue's shape, a partition without a commit has nulls") {
  GroupLag group = Sample(10, 15, 0);
  group.status = LagStatus::kStopped;
  group.partitions[0].lag_seconds = 1.5;
  group.partitions.push_back({.topic = "messages.inbound", .partition = 1, .end = 3});
  const auto parsed = switchboard::json::Parse(LagJson({group}));
  REQUIRE(parsed.ok());
  const auto& first = (*parsed)["groups"][0];
  CHECK(std::string(first["group"].GetString()) == "switchboard-resolver");
  CHECK(std::string(first["status"].GetString()) == "STOPPED");
  CHECK(first["members"].GetInt() == 0);
  CHECK(first["records_per_second"].IsNull());
  const auto& partitions = first["partitions"];
  CHECK(partitions[0]["committed"].GetInt64() == 10);
  CHECK(partitions[0]["end"].GetInt64() == 15);
  CHECK(partitions[0]["lag"].GetInt64() == 5);
  CHECK(partitions[0]["lag_seconds"].GetDouble() == 1.5);
  CHECK(partitions[1]["committed"].IsNull());
  CHECK(partitions[1]["lag"].IsNull());
  CHECK(LagTable({group}).find("STOPPED") != std::string::npos);
}
