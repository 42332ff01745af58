#pragma once

#include <string>
#include <vector>

#include "workers/admin/lag_status.hpp"

namespace switchboard::admin {

/// {"groups":[{"group","state","status","members","partitions":[{"topic","partition",
/// "committed","end","lag","lag_seconds"}]}]}; committed, lag and lag_seconds are null for a
/// partition the group has not committed to.
std::string LagJson(const std::vector<GroupLag>& groups);

/// The same as a table for a terminal: one row per partition, the group's columns repeated.
std::string LagTable(const std::vector<GroupLag>& groups);

}  // namespace switchboard::admin
