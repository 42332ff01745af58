#pragma once

// What the agent's tools read and write, one transaction per tool call. ToolStore is an
// interface so that the tools' decisions (workers/agent/tools.hpp) can be tested with a fake
// (tests/unit/tool_decisions_test.cpp); PostgresToolStore holds the SQL.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/db_pool.hpp"
#include "common/result.hpp"
#include "workers/agent/booking.hpp"

namespace switchboard::agent {

/// Whom a tool call acts for. Passed explicitly to every tool: there is no shared mutable context.
struct ToolScope {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  /// The moment of the turn (injected, so tests control "today").
  std::chrono::sys_seconds now;
};

/// A customer's contact details as stored; nullopt where the column is null.
struct CustomerContact {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> phone;
};

/// What ToolWork::SaveLead did.
enum class LeadChange { kCreated, kUpdated };

/// The reads and writes of one tool call, for the customer, conversation and business of the
/// ToolScope it was begun for: one transaction, nothing of it kept unless Commit() is called.
/// Database failures throw (the stage retries the record).
class ToolWork {
 public:
  virtual ~ToolWork() = default;

  /// How the business takes bookings; an Error (not retryable) when the business is not visible
  /// or its timezone or opening hours are malformed.
  virtual Result<BookingRules> Rules() = 0;
  /// The business's active services, by name.
  virtual std::vector<Service> ActiveServices() = 0;
  /// The business's booked appointments that overlap `span`.
  virtual std::vector<BookedInterval> BookedDuring(const UtcSpan& span) = 0;
  /// The customer's booked appointment of `service_id` starting at `start`, if any.
  virtual std::optional<Appointment> FindBookedAt(std::string_view service_id,
                                                  std::chrono::sys_seconds start) = 0;
  /// Books `service` at `start` for the customer and returns the appointment's id; nullopt when
  /// it overlaps another booked appointment, after which the work is aborted and must be dropped.
  virtual std::optional<std::string> InsertAppointment(const Service& service,
                                                       std::chrono::sys_seconds start) = 0;
  /// The customer's appointments with id `id` and/or starting at `start` (at least one given),
  /// booked ones first, locked until the work ends.
  virtual std::vector<Appointment> FindOwnAppointments(
      const std::optional<std::string>& id,
      const std::optional<std::chrono::sys_seconds>& start) = 0;
  /// Marks the customer's booked appointment `id` cancelled.
  virtual void CancelAppointment(std::string_view id) = 0;
  /// The customer's booked appointments that end after `now`, soonest first.
  virtual std::vector<Appointment> UpcomingAppointments(std::chrono::sys_seconds now) = 0;
  /// The customer's contact details; nullopt when the customer row is missing.
  virtual std::optional<CustomerContact> Customer() = 0;
  /// Sets the customer's name and/or email (nullopt keeps what is stored), locking the row until
  /// the work ends; the contact details afterwards, nullopt when the customer row is missing.
  virtual std::optional<CustomerContact> UpdateCustomer(
      const std::optional<std::string>& name, const std::optional<std::string>& email) = 0;
  /// Writes `contact` into the customer's newest lead, or creates one (source "agent").
  virtual LeadChange SaveLead(const CustomerContact& contact) = 0;
  /// Hands the conversation to a person (status HANDED_OFF, needs_human, `reason` kept in its
  /// metadata when given); false when it is closed or not the customer's.
  virtual bool HandOff(const std::optional<std::string>& reason) = 0;
  /// Keeps what the work wrote.
  virtual void Commit() = 0;
};

/// Where tool calls get their work from.
class ToolStore {
 public:
  virtual ~ToolStore() = default;

  /// The work of one tool call acting for `scope`; throws when the database cannot be reached.
  virtual std::unique_ptr<ToolWork> Begin(const ToolScope& scope) = 0;
};

/// The tools' SQL: each work is a db::TenantWork scoped to the tool's business on a connection
/// of the pool, with explicit WHERE clauses on its ids as well (the appointment book's queries
/// are booking.hpp's).
class PostgresToolStore final : public ToolStore {
 public:
  /// Uses `pool` (the application role), which must outlive the store.
  explicit PostgresToolStore(db::ConnectionPool& pool) : pool_(pool) {}

  std::unique_ptr<ToolWork> Begin(const ToolScope& scope) override;

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::agent
