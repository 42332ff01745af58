#include "workers/agent/tool_store.hpp"

#include <pqxx/pqxx>

#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"

namespace switchboard::agent {

namespace {

using std::chrono::sys_seconds;

std::optional<std::string> OptionalText(const pqxx::field& field) {
  return field.is_null() ? std::nullopt : std::optional<std::string>(field.as<std::string>());
}

/// One short transaction scoped to the tool's tenant.
class PostgresToolWork final : public ToolWork {
 public:
  PostgresToolWork(db::ConnectionPool& pool, const ToolScope& scope)
      : scope_(scope), lease_(pool.Acquire()), tx_(*lease_, scope.business_id) {}

  Result<BookingRules> Rules() override { return LoadBookingRules(tx_, scope_.business_id); }

  std::vector<Service> ActiveServices() override {
    return LoadActiveServices(tx_, scope_.business_id);
  }

  std::vector<BookedInterval> BookedDuring(const UtcSpan& span) override {
    return agent::BookedDuring(tx_, scope_.business_id, span);
  }

  std::optional<Appointment> FindBookedAt(std::string_view service_id, sys_seconds start) override {
    return agent::FindBookedAt(tx_, scope_.business_id, scope_.customer_id, service_id, start);
  }

  std::optional<std::string> InsertAppointment(const Service& service, sys_seconds start) override {
    return agent::InsertAppointment(tx_, scope_.business_id, scope_.customer_id, service, start);
  }

  std::vector<Appointment> FindOwnAppointments(const std::optional<std::string>& id,
                                               const std::optional<sys_seconds>& start) override {
    return agent::FindOwnAppointments(tx_, scope_.business_id, scope_.customer_id, id, start);
  }

  void CancelAppointment(std::string_view id) override {
    agent::CancelAppointment(tx_, scope_.business_id, scope_.customer_id, id);
  }

  std::vector<Appointment> UpcomingAppointments(sys_seconds now) override {
    return agent::UpcomingAppointments(tx_, scope_.business_id, scope_.customer_id, now);
  }

  std::optional<CustomerContact> Customer() override {
    const pqxx::result rows = db::Exec(
        tx_,
        "SELECT name, phone, email FROM customers WHERE business_id = $1::uuid AND id = $2::uuid",
        scope_.business_id, scope_.customer_id);
    if (rows.empty()) return std::nullopt;
    return CustomerContact{OptionalText(rows[0][0]), OptionalText(rows[0][2]),
                           OptionalText(rows[0][1])};
  }

  std::optional<CustomerContact> UpdateCustomer(const std::optional<std::string>& name,
                                                const std::optional<std::string>& email) override {
    const pqxx::result rows =
        db::Exec(tx_,
                 "UPDATE customers SET name = coalesce($3, name), email = coalesce($4, email) "
                 "WHERE business_id = $1::uuid AND id = $2::uuid RETURNING name, email, phone",
                 scope_.business_id, scope_.customer_id, name, email);
    if (rows.empty()) return std::nullopt;
    return CustomerContact{OptionalText(rows[0][0]), OptionalText(rows[0][1]),
                           OptionalText(rows[0][2])};
  }

  LeadChange SaveLead(const CustomerContact& contact) override {
    const pqxx::result updated = db::Exec(
        tx_,
        "UPDATE leads SET name = $3, email = $4, phone = $5 WHERE id = "
        "(SELECT id FROM leads WHERE business_id = $1::uuid AND customer_id = $2::uuid "
        "ORDER BY created_at DESC LIMIT 1) RETURNING id",
        scope_.business_id, scope_.customer_id, contact.name, contact.email, contact.phone);
    if (!updated.empty()) return LeadChange::kUpdated;
    db::Exec(tx_,
             "INSERT INTO leads (business_id, customer_id, name, email, phone, source) "
             "VALUES ($1::uuid, $2::uuid, $3, $4, $5, 'agent')",
             scope_.business_id, scope_.customer_id, contact.name, contact.email, contact.phone);
    return LeadChange::kCreated;
  }

  bool HandOff(const std::optional<std::string>& reason) override {
    const pqxx::result rows =
        db::Exec(tx_,
                 "UPDATE conversations SET status = 'HANDED_OFF', needs_human = true, "
                 "metadata = metadata || CASE WHEN $4::text IS NULL THEN '{}'::jsonb "
                 "ELSE jsonb_build_object('handoff_reason', $4::text) END "
                 "WHERE business_id = $1::uuid AND id = $2::uuid AND customer_id = $3::uuid "
                 "AND status <> 'CLOSED' RETURNING id",
                 scope_.business_id, scope_.conversation_id, scope_.customer_id, reason);
    return !rows.empty();
  }

  void Commit() override { tx_.commit(); }

 private:
  const ToolScope scope_;
  db::ConnectionPool::Lease lease_;
  db::TenantWork tx_;
};

}  // namespace

std::unique_ptr<ToolWork> PostgresToolStore::Begin(const ToolScope& scope) {
  return std::make_unique<PostgresToolWork>(pool_, scope);
}

}  // namespace switchboard::agent
