#pragma once

#include "common/db_pool.hpp"
#include "common/topics/usage_events.hpp"

namespace switchboard::usage {

/// The usage stage's SQL: usage_events and the monthly usage_counters.
class UsageStore final {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit UsageStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// In one transaction scoped to the event's tenant, records `event` in usage_events and, only
  /// when it was not recorded before, adds its counts to the usage_counters row of its UTC month.
  /// True when it was counted now, false when it had been counted before. Throws pqxx errors
  /// (data_exception for a value the database cannot read, foreign_key_violation for an unknown
  /// business).
  bool Record(const topics::UsageEvent& event);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::usage
