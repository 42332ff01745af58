#include "common/customer_identity.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <utility>
#include <vector>

#include "common/log.hpp"
#include "common/prepared.hpp"
#include "common/stage_runtime.hpp"

namespace switchboard::customers {
namespace {

/// One row's first column, when there is a row.
std::optional<std::string> FirstValue(const pqxx::result& result) {
  if (result.empty()) return std::nullopt;
  return result[0][0].as<std::string>();
}

/// The customer known as `external_id` on `channel`, if any.
std::optional<std::string> FindIdentity(pqxx::transaction_base& tx, const std::string& business_id,
                                        const std::string& channel,
                                        const std::string& external_id) {
  return FirstValue(db::Exec(tx,
                             "SELECT customer_id FROM customer_identities "
                             "WHERE business_id = $1 AND channel = $2 AND external_id = $3",
                             business_id, channel, external_id));
}

/// The customer with phone number `digits`: its 'phone' identity first, else the oldest customer
/// whose customers.phone it is.
std::optional<std::string> FindByPhone(pqxx::transaction_base& tx, const std::string& business_id,
                                       const std::string& digits) {
  return FirstValue(
      db::Exec(tx,
               "SELECT customer_id FROM ("
               "  SELECT customer_id, 0 AS rank, created_at FROM customer_identities "
               "   WHERE business_id = $1 AND channel = 'phone' AND external_id = $2 "
               "  UNION ALL "
               "  SELECT id, 1, created_at FROM customers WHERE business_id = $1 AND phone = $2"
               ") AS match ORDER BY rank, created_at LIMIT 1",
               business_id, digits));
}

/// Links (channel, external_id) to `customer_id` unless it is linked already; returns the
/// customer it belongs to now. A concurrent worker may have linked it first: ON CONFLICT waits
/// for that transaction, and the separate SELECT (a new snapshot) then sees its row.
std::string LinkIdentity(pqxx::transaction_base& tx, const std::string& business_id,
                         const std::string& customer_id, const ChannelIdentity& identity) {
  const pqxx::result inserted =
      db::Exec(tx,
               "INSERT INTO customer_identities (business_id, customer_id, channel, external_id) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT (business_id, channel, external_id) DO NOTHING "
               "RETURNING customer_id",
               business_id, customer_id, identity.channel, identity.external_id);
  if (!inserted.empty()) return customer_id;
  const auto owner = FindIdentity(tx, business_id, identity.channel, identity.external_id);
  if (!owner) {
    throw RetryableError("customer identity " + identity.channel + " vanished while linking");
  }
  return *owner;
}

}  // namespace

std::string PhoneDigits(std::string_view e164) {
  if (e164.size() < 2 || e164.front() != '+') return {};
  const std::string_view digits = e164.substr(1);
  const bool all_digits =
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!all_digits || digits.size() < 4 || digits.size() > 15) return {};
  return std::string(digits);
}

std::string FindOrCreateCustomer(pqxx::transaction_base& tx, const std::string& business_id,
                                 const CustomerFacts& facts) {
  const std::string& phone = facts.phone_digits;
  std::optional<std::string> customer;
  bool created = false;
  if (!phone.empty()) customer = FindByPhone(tx, business_id, phone);
  if (!customer) {
    customer = FirstValue(db::Exec(tx,
                                   "INSERT INTO customers (business_id, name, phone) "
                                   "VALUES ($1, NULLIF($2, ''), NULLIF($3, '')) RETURNING id",
                                   business_id, facts.name, phone));
    created = true;
  }
  std::vector<ChannelIdentity> identities;
  if (!phone.empty()) identities.push_back({"phone", phone});
  if (facts.identity) identities.push_back(*facts.identity);
  // A customer created here loses to one a concurrent worker linked first to the same identity:
  // ours is dropped (its identities cascade) and the identities go to theirs. An existing
  // customer never takes an identity from another one.
  const auto link_all = [&]() -> std::optional<std::string> {
    for (const ChannelIdentity& identity : identities) {
      std::string owner = LinkIdentity(tx, business_id, *customer, identity);
      if (created && owner != *customer) return owner;
    }
    return std::nullopt;
  };
  if (auto owner = link_all()) {
    Log(LogLevel::kInfo, "customer created concurrently by another worker, using theirs",
        {{"customer_id", *owner}, {"event_id", facts.event_id}, {"trace_id", facts.trace_id}});
    db::Exec(tx, "DELETE FROM customers WHERE business_id = $1 AND id = $2", business_id,
             *customer);
    customer = std::move(owner);
    created = false;
    link_all();
  }
  if (!created) FillCustomerDetails(tx, business_id, *customer, facts.name, phone);
  return *customer;
}

std::optional<std::string> CustomerByPhone(pqxx::transaction_base& tx,
                                           const std::string& business_id, std::string_view caller,
                                           std::string_view name) {
  std::string digits = PhoneDigits(caller);
  if (digits.empty()) return std::nullopt;
  return FindOrCreateCustomer(tx, business_id,
                              {.phone_digits = std::move(digits), .name = std::string(name)});
}

void FillCustomerDetails(pqxx::transaction_base& tx, const std::string& business_id,
                         const std::string& customer_id, const std::string& name,
                         const std::string& phone_digits) {
  // Details are only ever filled in, never cleared: nothing to write without a detail.
  if (name.empty() && phone_digits.empty()) return;
  db::Exec(tx,
           "UPDATE customers SET name = COALESCE(NULLIF(name, ''), NULLIF($3, '')), "
           "                     phone = COALESCE(phone, NULLIF($4, '')) "
           " WHERE business_id = $1 AND id = $2 "
           "   AND ((NULLIF(name, '') IS NULL AND $3 <> '') OR (phone IS NULL AND $4 <> ''))",
           business_id, customer_id, name, phone_digits);
}

}  // namespace switchboard::customers
