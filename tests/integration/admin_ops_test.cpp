// switchboard-admin lag and replay against the real broker: the figures equal Kafka's own
// kafka-consumer-groups (ConsumerGroupCommand from the harness's jars), and a replay copies
// exactly its range without joining or moving any group.
#include <doctest/doctest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "common/json.hpp"
#include "common/kafka_consumer.hpp"
#include "common/kafka_producer.hpp"
#include "common/kafka_topics.hpp"
#include "common/partition_reader.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_reader.hpp"
#include "workers/admin/consumer_groups.hpp"

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

namespace {

const std::string kAdmin = SWITCHBOARD_BINARY_DIR "/workers/switchboard-admin";

std::string UniqueName(const std::string& what) {
  static int counter = 0;
  return "ops-test-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000) +
         "-" + std::to_string(++counter);
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A fresh topic of `partitions` partitions and `partitions * per_partition` records (keys
/// "key-<n>", values {"n":<n>}), every other record of tenant "t-even", the rest "t-odd".
std::string TopicWithRecords(const std::string& brokers, int partitions, int per_partition) {
  const std::string topic = UniqueName("topic");
  CreateTopics(brokers, {{topic, partitions, 3600000}});
  KafkaProducer producer({.brokers = brokers});
  std::vector<OutboundRecord> records;
  for (int n = 0; n < partitions * per_partition; ++n) {
    records.push_back({.topic = topic,
                       .key = "key-" + std::to_string(n),
                       .value = R"({"n":)" + std::to_string(n) + "}",
                       .headers = {{"tenant", n % 2 == 0 ? "t-even" : "t-odd"}}});
  }
  REQUIRE_FALSE(producer.ProduceAndWait(records).has_value());
  return topic;
}

/// Kafka's own view: partition -> {current offset, log end offset, lag} ("-" as -1).
std::map<std::int32_t, std::array<std::int64_t, 3>> KafkaToolDescribe(const std::string& brokers,
                                                                      const std::string& group) {
  const std::string jars = RequireEnv("SWITCHBOARD_KAFKA_LIB");
  ChildProcess tool(
      "/usr/bin/java",
      {"-Xmx256m", "-cp", jars + "/*", "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
       "--bootstrap-server", brokers, "--describe", "--group", group},
      CurrentEnvironment());
  REQUIRE(tool.Wait(60s) == 0);
  std::map<std::int32_t, std::array<std::int64_t, 3>> rows;
  std::istringstream lines(tool.Stderr());
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name, topic, partition, current, end, lag;
    if (!(words >> name >> topic >> partition >> current >> end >> lag) || name != group) continue;
    const auto number = [](const std::string& text) { return text == "-" ? -1 : std::stoll(text); };
    rows[static_cast<std::int32_t>(std::stoi(partition))] = {number(current), number(end),
                                                             number(lag)};
  }
  return rows;
}

/// A member of `group` on `topic` that commits `offsets` per partition and stays in the group.
std::unique_ptr<KafkaConsumer> MemberCommitting(
    const std::string& brokers, const std::string& group, const std::string& topic,
    const std::map<std::int32_t, std::int64_t>& offsets) {
  auto consumer = std::make_unique<KafkaConsumer>(
      KafkaConsumer::Options{.brokers = brokers, .group_id = group, .topics = {topic}},
      KafkaConsumer::RebalanceListener{});
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (consumer->Assignment().size() < offsets.size()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    (void)consumer->Poll(100ms);
  }
  std::vector<TopicPartitionOffset> commits;
  for (const auto& [partition, offset] : offsets) commits.push_back({{topic, partition}, offset});
  REQUIRE_FALSE(consumer->Commit(commits).has_value());
  return consumer;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::map<std::string, std::string> AdminEnvironment() {
  auto environment = CurrentEnvironment();
  environment["KAFKA_BROKERS"] = RequireEnv("KAFKA_BROKERS");
  environment["LOG_LEVEL"] = "warning";  // stdout only: what the command prints
  return environment;
}

}  // namespace

TEST_CASE("admin lag: committed, end and lag equal kafka-consumer-groups, status and lag age") {
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  const std::int64_t produced_at = NowMs();
  const std::string topic = TopicWithRecords(brokers, 3, 10);
  const std::string group = UniqueName("group");
  std::map<std::int32_t, std::int64_t> commits;
  {
    PartitionReader reader(brokers, "ops-test");
    const auto marks = reader.QueryWatermarks({{topic, 0}, {topic, 1}, {topic, 2}}, 10s);
    REQUIRE(marks.ok());
    for (std::int32_t p = 0; p < 3; ++p) {
      const std::int64_t high = (*marks)[p].high;
      commits[p] = p == 0 ? high : high / 2;  // partition 0 caught up
    }
  }
  auto member = MemberCommitting(brokers, group, topic, commits);

  PartitionReader reader(brokers, "ops-test");
  const auto ours = admin::ReadConsumerLag(reader, group, NowMs());
  const auto theirs = KafkaToolDescribe(brokers, group);
  REQUIRE(ours.size() == 1);
  CHECK(ours[0].group == group);
  CHECK(ours[0].members == 1);
  CHECK(ours[0].state == "Stable");
  CHECK(ours[0].status == admin::LagStatus::kOk);  // one sample, members present
  REQUIRE(ours[0].partitions.size() == 3);
  REQUIRE(theirs.size() == 3);
  for (const admin::PartitionLag& partition : ours[0].partitions) {
    CAPTURE(partition.partition);
    CHECK(partition.topic == topic);
    const auto& row = theirs.at(partition.partition);
    CHECK(partition.committed == row[0]);
    CHECK(partition.end == row[1]);
    CHECK(partition.lag == row[2]);
    if (*partition.lag == 0) {
      CHECK(*partition.lag_seconds == 0.0);
    } else {
      // The record at the committed offset was written when the test began.
      CHECK(*partition.lag_seconds > 0.0);
      CHECK(*partition.lag_seconds <= (NowMs() - produced_at) / 1000.0 + 1.0);
    }
  }

  member->Close();
  member.reset();
  const auto stopped = admin::ReadConsumerLag(reader, group, NowMs());
  REQUIRE(stopped.size() == 1);
  CHECK(stopped[0].members == 0);
  CHECK(stopped[0].status == admin::LagStatus::kStopped);

  ChildProcess command(kAdmin, {"lag", "--group", group, "--json"}, AdminEnvironment());
  REQUIRE(command.Wait(60s) == 0);
  const auto json = json::Parse(command.Stderr());
  REQUIRE(json.ok());
  const auto& listed = (*json)["groups"][0];
  CHECK(std::string(listed["group"].GetString()) == group);
  CHECK(std::string(listed["status"].GetString()) == "STOPPED");
  CHECK(listed["partitions"].Size() == 3);
}

TEST_CASE("admin lag: groups waiting at different offsets of one partition get their own ages") {
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  const std::string topic = UniqueName("topic");
  CreateTopics(brokers, {{topic, 1, 3600000}});
  KafkaProducer producer({.brokers = brokers});
  const auto produce = [&](int from) {
    std::vector<OutboundRecord> records;
    for (int n = from; n < from + 3; ++n) {
      records.push_back({.topic = topic, .key = "key-" + std::to_string(n), .value = "{}"});
    }
    REQUIRE_FALSE(producer.ProduceAndWait(records).has_value());
  };
  produce(0);  // offsets 0-2
  std::this_thread::sleep_for(2s);
  const std::int64_t second_batch_at = NowMs();
  produce(3);  // offsets 3-5
  const std::string older = UniqueName("group");
  const std::string newer = UniqueName("group");
  MemberCommitting(brokers, older, topic, {{0, 1}})->Close();  // waits at offset 1
  MemberCommitting(brokers, newer, topic, {{0, 4}})->Close();  // waits at offset 4

  PartitionReader reader(brokers, "ops-test");
  const auto groups = admin::ReadConsumerLag(reader, std::nullopt, NowMs());
  std::map<std::string, admin::PartitionLag> found;
  for (const admin::GroupLag& group : groups) {
    if (group.group == older || group.group == newer) found[group.group] = group.partitions.at(0);
  }
  REQUIRE(found.size() == 2);
  CHECK(found[older].lag == 5);
  CHECK(found[newer].lag == 2);
  // Each group's age is that of the record at its own offset, read in one pass.
  const double newer_age = *found[newer].lag_seconds;
  CHECK(newer_age > 0.0);
  CHECK(newer_age <= (NowMs() - second_batch_at) / 1000.0 + 0.5);
  CHECK(*found[older].lag_seconds >= newer_age + 1.5);
}

TEST_CASE("admin lag: an unknown group fails with 1, a bad option with 2, --help with 0") {
  ChildProcess unknown(kAdmin, {"lag", "--group", UniqueName("absent")}, AdminEnvironment());
  CHECK(unknown.Wait(60s) == 1);
  CHECK(unknown.Stderr().find("no consumer group") != std::string::npos);
  ChildProcess bad(kAdmin, {"lag", "--colour", "red"}, AdminEnvironment());
  CHECK(bad.Wait(60s) == 2);
  CHECK(bad.Stderr().find("unknown option --colour") != std::string::npos);
  ChildProcess help(kAdmin, {"lag", "--help"}, AdminEnvironment());
  CHECK(help.Wait(60s) == 0);
  CHECK(help.Stderr().find("lag [--group G] [--json]") != std::string::npos);
}

TEST_CASE("admin replay to a file: exactly the range, by offset, time, partition and tenant") {
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  const std::string topic = TopicWithRecords(brokers, 2, 20);
  const std::string file = "/tmp/" + UniqueName("replay") + ".jsonl";

  ChildProcess all(kAdmin,
                   {"replay", "--topic", topic, "--from-offset", "0", "--to-file", file, "--json"},
                   AdminEnvironment());
  REQUIRE(all.Wait(60s) == 0);
  const auto summary = json::Parse(all.Stderr());
  REQUIRE(summary.ok());
  CHECK((*summary)["records"].GetInt64() == 40);
  CHECK((*summary)["written"].GetInt64() == 40);
  std::vector<std::string> lines = Lines(file);
  REQUIRE(lines.size() == 40);
  std::set<std::string> values;
  std::map<std::int64_t, std::int64_t> next_offset;  // per partition, in order
  for (const std::string& line : lines) {
    const auto record = json::Parse(line);
    REQUIRE(record.ok());
    CHECK(std::string((*record)["topic"].GetString()) == topic);
    const std::int64_t partition = (*record)["partition"].GetInt64();
    CHECK((*record)["offset"].GetInt64() == next_offset[partition]++);
    CHECK((*record)["value"].IsObject());  // JSON values stay JSON
    values.insert(std::to_string((*record)["value"]["n"].GetInt()));
  }
  CHECK(values.size() == 40);

  // Offsets 3..7 of partition 1 only.
  ChildProcess ranged(kAdmin,
                      {"replay", "--topic", topic, "--from-offset", "3", "--to-offset", "8",
                       "--partition", "1", "--to-file", file},
                      AdminEnvironment());
  REQUIRE(ranged.Wait(60s) == 0);
  lines = Lines(file);
  REQUIRE(lines.size() == 5);
  CHECK(json::Parse(lines.front())->operator[]("offset").GetInt64() == 3);
  CHECK(json::Parse(lines.back())->operator[]("offset").GetInt64() == 7);
  CHECK(json::Parse(lines.back())->operator[]("partition").GetInt64() == 1);

  // One tenant, from a time before the topic existed: half the records.
  ChildProcess tenant(kAdmin,
                      {"replay", "--topic", topic, "--from-time", "2020-01-01T00:00:00Z",
                       "--tenant", "t-even", "--to-file", file},
                      AdminEnvironment());
  REQUIRE(tenant.Wait(60s) == 0);
  CHECK(Lines(file).size() == 20);
  CHECK(tenant.Stderr().find("20 of other tenants skipped") != std::string::npos);

  // From a time after every record: nothing.
  ChildProcess late(
      kAdmin,
      {"replay", "--topic", topic, "--from-time", "2999-01-01T00:00:00Z", "--to-file", file},
      AdminEnvironment());
  REQUIRE(late.Wait(60s) == 0);
  CHECK(Lines(file).empty());
  std::remove(file.c_str());
}

TEST_CASE("admin replay to a topic: key, value, headers and replayed-from, no group touched") {
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  const std::string topic = TopicWithRecords(brokers, 2, 5);
  const std::string target = UniqueName("target");
  CreateTopics(brokers, {{target, 1, 3600000}});
  const std::string group = UniqueName("live");
  auto member = MemberCommitting(brokers, group, topic, {{0, 1}, {1, 2}});
  TopicReader copies(brokers, target);
  ChildProcess replay(kAdmin,
                      {"replay", "--topic", topic, "--from-offset", "0", "--to-topic", target},
                      AdminEnvironment());
  REQUIRE(replay.Wait(60s) == 0);
  const auto records = copies.ReadAtLeast(10, 30s);
  REQUIRE(records.size() == 10);
  std::set<std::string> origins;
  for (const ConsumedRecord& record : records) {
    CHECK(record.key.starts_with("key-"));
    CHECK(record.value.starts_with(R"({"n":)"));
    CHECK(FindHeader(record.headers, "tenant").has_value());
    const auto from = FindHeader(record.headers, "replayed-from");
    REQUIRE(from.has_value());
    CHECK(from->starts_with(topic + "/"));
    origins.insert(std::string(*from));
  }
  CHECK(origins.size() == 10);

  PartitionReader reader(brokers, "ops-test");
  for (const admin::GroupLag& any : admin::ReadConsumerLag(reader, std::nullopt, NowMs())) {
    CHECK_FALSE(any.group.starts_with("switchboard-admin"));  // the replay made no group
  }
  const auto live = admin::ReadConsumerLag(reader, group, NowMs());
  REQUIRE(live.size() == 1);
  CHECK(live[0].members == 1);
  for (const admin::PartitionLag& partition : live[0].partitions) {
    CHECK(partition.committed == (partition.partition == 0 ? 1 : 2));
  }

  ChildProcess both(kAdmin,
                    {"replay", "--topic", topic, "--from-offset", "0", "--to-topic", target,
                     "--to-file", "/tmp/x"},
                    AdminEnvironment());
  CHECK(both.Wait(60s) == 2);
  ChildProcess missing(
      kAdmin,
      {"replay", "--topic", UniqueName("absent"), "--from-offset", "0", "--to-file", "/tmp/x"},
      AdminEnvironment());
  CHECK(missing.Wait(60s) == 1);
  CHECK(missing.Stderr().find("does not exist") != std::string::npos);
  ChildProcess bad_time(
      kAdmin, {"replay", "--topic", topic, "--from-time", "yesterday", "--to-file", "/tmp/x"},
      AdminEnvironment());
  CHECK(bad_time.Wait(60s) == 2);
}
