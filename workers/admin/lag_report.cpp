#include "workers/admin/lag_report.hpp"

#include <cstdio>

#include "common/json.hpp"
#include "workers/admin/text_table.hpp"

namespace switchboard::admin {

std::string LagJson(const std::vector<GroupLag>& groups) {
  json::Writer writer;
  writer.StartObject().Key("groups").StartArray();
  for (const GroupLag& group : groups) {
    writer.StartObject()
        .Field("group", group.group)
        .Field("state", group.state)
        .Field("status", LagStatusName(group.status))
        .Field("members", group.members);
    writer.Key("records_per_second");
    group.records_per_second ? writer.Double(*group.records_per_second) : writer.Null();
    writer.Key("partitions").StartArray();
    for (const PartitionLag& partition : group.partitions) {
      writer.StartObject()
          .Field("topic", partition.topic)
          .Field("partition", static_cast<std::int64_t>(partition.partition));
      writer.Key("committed");
      partition.committed ? writer.Int(*partition.committed) : writer.Null();
      writer.Field("end", partition.end).Key("lag");
      partition.lag ? writer.Int(*partition.lag) : writer.Null();
      writer.Key("lag_seconds");
      partition.lag_seconds ? writer.Double(*partition.lag_seconds) : writer.Null();
      writer.EndObject();
    }
    writer.EndArray().EndObject();
  }
  writer.EndArray().EndObject();
  return writer.Take();
}

std::string LagTable(const std::vector<GroupLag>& groups) {
  TextTable table({"GROUP", "STATE", "STATUS", "MEMBERS", "TOPIC", "PARTITION", "COMMITTED", "END",
                   "LAG", "LAG_SECONDS"});
  const auto or_dash = [](const auto& value) {
    return value ? std::to_string(*value) : std::string("-");
  };
  for (const GroupLag& group : groups) {
    const std::string status(LagStatusName(group.status));
    if (group.partitions.empty()) {
      table.Row({group.group, group.state, status, std::to_string(group.members), "-", "-", "-",
                 "-", "-", "-"});
    }
    for (const PartitionLag& partition : group.partitions) {
      std::string seconds = "-";
      if (partition.lag_seconds) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", *partition.lag_seconds);
        seconds = text;
      }
      table.Row({group.group, group.state, status, std::to_string(group.members), partition.topic,
                 std::to_string(partition.partition), or_dash(partition.committed),
                 std::to_string(partition.end), or_dash(partition.lag), seconds});
    }
  }
  return table.Text();
}

}  // namespace switchboard::admin
