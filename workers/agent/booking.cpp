#include "workers/agent/booking.hpp"

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>

#include "common/business_facts.hpp"
#include "common/prepared.hpp"

namespace switchboard::agent {

namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_seconds;

constexpr char kExclusionViolation[] = "23P01";

/// Appointment columns in the order AppointmentOf reads them.
constexpr char kAppointmentColumns[] =
    "a.id::text, a.service_id::text, coalesce(s.name, ''), "
    "extract(epoch FROM a.starts_at)::bigint, extract(epoch FROM a.ends_at)::bigint, "
    "a.status = 'booked'";

Appointment AppointmentOf(const pqxx::row& row) {
  Appointment appointment;
  appointment.id = row[0].as<std::string>();
  if (!row[1].is_null()) appointment.service_id = row[1].as<std::string>();
  appointment.service_name = row[2].as<std::string>();
  appointment.start = sys_seconds(std::chrono::seconds(row[3].as<std::int64_t>()));
  appointment.end = sys_seconds(std::chrono::seconds(row[4].as<std::int64_t>()));
  appointment.booked = row[5].as<bool>();
  return appointment;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::int64_t EpochOf(sys_seconds instant) {
  return instant.time_since_epoch().count();
}

}  // namespace

Result<BookingRules> LoadBookingRules(pqxx::transaction_base& tx, std::string_view business_id) {
  const pqxx::result rows =
      db::Exec(tx,
               "SELECT timezone, opening_hours::text, booking_horizon_days, buffer_minutes "
               "FROM businesses WHERE id = $1::uuid",
               std::string(business_id));
  if (rows.empty()) return Error{"business " + std::string(business_id) + " not found", false};
  auto zone = TimeZone::Load(rows[0][0].as<std::string>());
  if (!zone.ok()) return zone.error();
  auto hours = ParseOpeningHours(rows[0][1].as<std::string>());
  if (!hours.ok()) return hours.error();
  return BookingRules{*zone, *hours, rows[0][2].as<int>(), minutes(rows[0][3].as<int>())};
}

std::vector<Service> LoadActiveServices(pqxx::transaction_base& tx, std::string_view business_id) {
  const pqxx::result rows =
      db::Exec(tx,
               "SELECT id::text, name, duration_minutes, price_cents, currency, description "
               "FROM services WHERE business_id = $1::uuid AND active ORDER BY name",
               std::string(business_id));
  std::vector<Service> services;
  for (const auto& row : rows) {
    services.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                        minutes(row[2].as<int>()), row[3].as<std::int64_t>(),
                        row[4].as<std::string>(), row[5].as<std::string>()});
  }
  return services;
}

Result<Service> MatchService(const std::vector<Service>& services, std::string_view wanted) {
  const std::string lower_wanted = Lower(wanted);
  const Service* contains = nullptr;
  int containing = 0;
  for (const Service& service : services) {
    if (service.id == lower_wanted || Lower(service.name) == lower_wanted) return service;
    if (Lower(service.name).find(lower_wanted) != std::string::npos) {
      contains = &service;
      ++containing;
    }
  }
  if (containing == 1) return *contains;
  std::string names;
  for (const Service& service : services) names += (names.empty() ? "" : ", ") + service.name;
  if (names.empty()) return Error{"this business offers no bookable services", false};
  return Error{"unknown service '" + std::string(wanted) + "'; use one of: " + names, false};
}

minutes SlotStepFor(minutes duration) {
  return std::min(duration, minutes(30));
}

UtcSpan BookingsAffecting(const BookingRules& rules, std::chrono::year_month_day date) {
  const std::chrono::local_days local_date(date);
  return {rules.zone.ToUtc(local_date - days(1)) - rules.buffer,
          rules.zone.ToUtc(local_date + days(2)) + rules.buffer};
}

Result<DaySlots> FreeSlots(const BookingRules& rules, std::chrono::year_month_day date,
                           minutes duration, sys_seconds now, std::vector<BookedInterval> booked) {
  SlotQuery query;
  query.hours = rules.hours;
  query.date = date;
  query.duration = duration;
  query.step = SlotStepFor(duration);
  query.buffer = rules.buffer;
  query.horizon_days = rules.horizon_days;
  query.now = now;
  query.booked = std::move(booked);
  return SlotsFor(query, rules.zone);
}

std::vector<BookedInterval> BookedDuring(pqxx::transaction_base& tx, std::string_view business_id,
                                         const UtcSpan& span) {
  const pqxx::result rows =
      db::Exec(tx,
               "SELECT extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint "
               "FROM appointments WHERE business_id = $1::uuid AND status = 'booked' "
               "AND starts_at < to_timestamp($3) AND ends_at > to_timestamp($2)",
               std::string(business_id), EpochOf(span.from), EpochOf(span.to));
  std::vector<BookedInterval> booked;
  for (const auto& row : rows) {
    booked.push_back({sys_seconds(std::chrono::seconds(row[0].as<std::int64_t>())),
                      sys_seconds(std::chrono::seconds(row[1].as<std::int64_t>()))});
  }
  return booked;
}

std::optional<Appointment> FindBookedAt(pqxx::transaction_base& tx, std::string_view business_id,
                                        std::string_view customer_id, std::string_view service_id,
                                        sys_seconds start) {
  const pqxx::result rows = db::Exec(
      tx,
      std::string("SELECT ") + kAppointmentColumns +
          " FROM appointments a LEFT JOIN services s ON s.business_id = a.business_id AND "
          "s.id = a.service_id WHERE a.business_id = $1::uuid AND a.customer_id = $2::uuid "
          "AND a.service_id = $3::uuid AND a.starts_at = to_timestamp($4) "
          "AND a.status = 'booked'",
      std::string(business_id), std::string(customer_id), std::string(service_id), EpochOf(start));
  if (rows.empty()) return std::nullopt;
  return AppointmentOf(rows[0]);
}

std::optional<std::string> InsertAppointment(pqxx::transaction_base& tx,
                                             std::string_view business_id,
                                             std::string_view customer_id, const Service& service,
                                             sys_seconds start) {
  try {
    return db::
        Exec1(tx,
              "INSERT INTO appointments (business_id, customer_id, service_id, starts_at, ends_at) "
              "VALUES ($1::uuid, $2::uuid, $3::uuid, to_timestamp($4), to_timestamp($5)) "
              "RETURNING id::text",
              std::string(business_id), std::string(customer_id), service.id, EpochOf(start),
              EpochOf(start + service.duration))[0]
            .as<std::string>();
  } catch (const pqxx::deadlock_detected&) {
    // Two inserts of overlapping times can wait for each other while checking the exclusion
    // constraint; PostgreSQL aborts one of them, and the other gets the time.
    return std::nullopt;
  } catch (const pqxx::sql_error& e) {
    // The exclusion constraint decides races between conversations booking the same time.
    if (e.sqlstate() == kExclusionViolation) return std::nullopt;
    throw;
  }
}

std::vector<Appointment> FindOwnAppointments(pqxx::transaction_base& tx,
                                             std::string_view business_id,
                                             std::string_view customer_id,
                                             const std::optional<std::string>& id,
                                             const std::optional<sys_seconds>& start) {
  // NULL parameters leave that condition out.
  const pqxx::result rows = db::Exec(
      tx,
      std::string("SELECT ") + kAppointmentColumns +
          " FROM appointments a LEFT JOIN services s ON s.business_id = a.business_id AND "
          "s.id = a.service_id WHERE a.business_id = $1::uuid AND a.customer_id = $2::uuid "
          "AND ($3::uuid IS NULL OR a.id = $3::uuid) "
          "AND ($4::bigint IS NULL OR a.starts_at = to_timestamp($4::bigint)) "
          "ORDER BY a.status = 'booked' DESC, a.created_at DESC FOR UPDATE OF a",
      std::string(business_id), std::string(customer_id), id,
      start ? std::optional<std::int64_t>(EpochOf(*start)) : std::nullopt);
  std::vector<Appointment> appointments;
  for (const auto& row : rows) appointments.push_back(AppointmentOf(row));
  return appointments;
}

void CancelAppointment(pqxx::transaction_base& tx, std::string_view business_id,
                       std::string_view customer_id, std::string_view id) {
  db::Exec(tx,
           "UPDATE appointments SET status = 'cancelled', cancelled_at = now() "
           "WHERE business_id = $1::uuid AND customer_id = $2::uuid AND id = $3::uuid "
           "AND status = 'booked'",
           std::string(business_id), std::string(customer_id), std::string(id));
}

std::vector<Appointment> UpcomingAppointments(pqxx::transaction_base& tx,
                                              std::string_view business_id,
                                              std::string_view customer_id, sys_seconds now) {
  const pqxx::result rows = db::Exec(
      tx,
      std::string("SELECT ") + kAppointmentColumns +
          " FROM appointments a LEFT JOIN services s ON s.business_id = a.business_id AND "
          "s.id = a.service_id WHERE a.business_id = $1::uuid AND a.customer_id = $2::uuid "
          "AND a.status = 'booked' AND a.ends_at > to_timestamp($3) ORDER BY a.starts_at",
      std::string(business_id), std::string(customer_id), EpochOf(now));
  std::vector<Appointment> appointments;
  for (const auto& row : rows) appointments.push_back(AppointmentOf(row));
  return appointments;
}

}  // namespace switchboard::agent
