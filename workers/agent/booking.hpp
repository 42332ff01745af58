#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time_zone.hpp"
#include "workers/agent/slots.hpp"

namespace switchboard::agent {

// The appointment book of one tenant: its types, the rules that need no database (MatchService,
// SlotStepFor, BookingsAffecting, FreeSlots), and its SQL. Every function that takes a
// transaction needs a db::TenantWork of the tenant and filters by the ids it is given as well;
// database errors propagate.

/// A service the business offers (common/business_facts.hpp).
using switchboard::Service;

/// How the business takes bookings (its businesses row).
struct BookingRules {
  TimeZone zone;
  WeeklyHours hours;
  int horizon_days = 0;
  std::chrono::minutes buffer{0};
};

/// An appointment of a customer.
struct Appointment {
  std::string id;
  std::optional<std::string> service_id;
  std::string service_name;  // empty when the service was deleted
  std::chrono::sys_seconds start;
  std::chrono::sys_seconds end;
  bool booked = false;  // false: cancelled
};

/// The rules of `business_id`; an error (not retryable) when the business is not visible or its
/// timezone or opening hours are malformed.
Result<BookingRules> LoadBookingRules(pqxx::transaction_base& tx, std::string_view business_id);

/// The active services of `business_id`, by name.
std::vector<Service> LoadActiveServices(pqxx::transaction_base& tx, std::string_view business_id);

/// The service the model means by `wanted`: its id, its name (any case), or the one name that
/// contains `wanted`. An error listing the offered names otherwise.
Result<Service> MatchService(const std::vector<Service>& services, std::string_view wanted);

/// The distance between offered starts for a service of `duration`: half-hourly, or every
/// `duration` for shorter services.
std::chrono::minutes SlotStepFor(std::chrono::minutes duration);

/// A span of UTC time [from, to).
struct UtcSpan {
  std::chrono::sys_seconds from;
  std::chrono::sys_seconds to;
};

/// The span whose bookings can take slots of local `date` away: a day either side of it (a day
/// plus the buffer is at most 25 hours, whatever the offset), widened by the buffer.
UtcSpan BookingsAffecting(const BookingRules& rules, std::chrono::year_month_day date);

/// The free slots of local `date` for a service of `duration`, given the rules and the `booked`
/// appointments (those of BookingsAffecting(rules, date); none: the slots of an empty day).
/// Errors are SlotsFor's (malformed hours).
Result<DaySlots> FreeSlots(const BookingRules& rules, std::chrono::year_month_day date,
                           std::chrono::minutes duration, std::chrono::sys_seconds now,
                           std::vector<BookedInterval> booked = {});

/// The booked appointments of `business_id` that overlap `span`.
std::vector<BookedInterval> BookedDuring(pqxx::transaction_base& tx, std::string_view business_id,
                                         const UtcSpan& span);

/// The customer's booked appointment for `service_id` starting at `start`, if any.
std::optional<Appointment> FindBookedAt(pqxx::transaction_base& tx, std::string_view business_id,
                                        std::string_view customer_id, std::string_view service_id,
                                        std::chrono::sys_seconds start);

/// Inserts a booked appointment and returns its id; nullopt when it overlaps another booked
/// appointment (SQLSTATE 23P01 on appointments_no_overlap, or a deadlock with a concurrent
/// insert of an overlapping time), after which `tx` is aborted and must be discarded.
std::optional<std::string> InsertAppointment(pqxx::transaction_base& tx,
                                             std::string_view business_id,
                                             std::string_view customer_id, const Service& service,
                                             std::chrono::sys_seconds start);

/// The customer's appointments with id `id` and/or starting at `start` (at least one given),
/// booked ones first, locked for update.
std::vector<Appointment> FindOwnAppointments(pqxx::transaction_base& tx,
                                             std::string_view business_id,
                                             std::string_view customer_id,
                                             const std::optional<std::string>& id,
                                             const std::optional<std::chrono::sys_seconds>& start);

/// Marks the booked appointment `id` of the customer cancelled.
void CancelAppointment(pqxx::transaction_base& tx, std::string_view business_id,
                       std::string_view customer_id, std::string_view id);

/// The customer's booked appointments that end after `now`, soonest first.
std::vector<Appointment> UpcomingAppointments(pqxx::transaction_base& tx,
                                              std::string_view business_id,
                                              std::string_view customer_id,
                                              std::chrono::sys_seconds now);

}  // namespace switchboard::agent
