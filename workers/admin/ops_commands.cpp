#include "workers/admin/ops_commands.hpp"

#include <chrono>
#include <iostream>

#include "common/partition_reader.hpp"
#include "workers/admin/consumer_groups.hpp"
#include "workers/admin/lag_report.hpp"

namespace switchboard::admin {
namespace {

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int RunLag(Arguments& args, const AdminConfig& config) {
  const std::optional<std::string> group = args.Optional("group");
  const bool as_json = args.Flag("json");
  args.RejectUnused();
  PartitionReader reader(config.brokers, "switchboard-admin-lag");
  const std::vector<GroupLag> groups = ReadConsumerLag(reader, group, NowUnixMs());
  if (group && groups.empty()) throw std::runtime_error("no consumer group " + *group);
  std::cout << (as_json ? LagJson(groups) + "\n" : LagTable(groups));
  return 0;
}

}  // namespace switchboard::admin
