#pragma once

// The operator commands of switchboard-admin (issue 12): lag, replay, dlq. Each prints a table
// by default and JSON with --json; it throws UsageError for a bad command line (exit 2) and
// std::runtime_error for a failure (exit 1).

#include "workers/admin/admin_config.hpp"
#include "workers/admin/arguments.hpp"

namespace switchboard::admin {

/// lag [--group G] [--json]: consumer groups, their state, members, status and lag per partition.
int RunLag(Arguments& args, const AdminConfig& config);

/// replay --topic T (--from-offset N | --from-time ISO) [--to-offset N | --to-time ISO]
/// [--partition P] [--tenant ID] (--to-file F | --to-topic T2) [--json]: copies a range of a topic
/// by assignment (never a live group's offsets) to JSON lines or another topic.
int RunReplay(Arguments& args, const AdminConfig& config);

/// dlq list [--stage S] [--json] | dlq show ID [--json] | dlq (redrive | purge) (ID... | --all)
/// --stage S [--json]: pending dead letters of every "<topic>.dlq"; re-drive puts a record back
/// on its topic (dead-letter-attempts), purge drops it from the pending ones.
int RunDlq(Arguments& args, const AdminConfig& config);

}  // namespace switchboard::admin
