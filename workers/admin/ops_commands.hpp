#pragma once

// The operator commands of switchboard-admin (issue 12): lag, replay, dlq. Each prints a table
// by default and JSON with --json; it throws UsageError for a bad command line (exit 2) and
// std::runtime_error for a failure (exit 1).

#include "workers/admin/admin_config.hpp"
#include "workers/admin/arguments.hpp"

namespace switchboard::admin {

/// lag [--group G] [--json]: consumer groups, their state, members, status and lag per partition.
int RunLag(Arguments& args, const AdminConfig& config);

}  // namespace switchboard::admin
