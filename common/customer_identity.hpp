#pragma once

// Who a customer is across channels: a WhatsApp sender and a caller with the same number are one
// customer of the tenant. customers.phone and the ('phone', digits) identity hold the number as
// E.164 digits without '+', which is exactly a WhatsApp wa_id (migration 0001), so a number
// needs no other normalization to meet its WhatsApp sender.

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>

namespace switchboard::customers {

/// How a customer is known on one channel (a customer_identities row), e.g. ("whatsapp", wa_id).
struct ChannelIdentity {
  std::string channel;
  std::string external_id;
};

/// The digits customers.phone stores for the E.164 number `e164` ("+" then 4 to 15 digits), e.g.
/// "+4915112345678" → "4915112345678" (the WhatsApp wa_id of that number); empty when `e164` is
/// not such a number (a number we cannot store must not stop the work that carries it).
std::string PhoneDigits(std::string_view e164);

/// What is known of the customer to find or create.
struct CustomerFacts {
  std::string phone_digits;                 ///< PhoneDigits of the number, or empty
  std::string name;                         ///< or empty
  std::optional<ChannelIdentity> identity;  ///< the channel identity to link as well
  std::string event_id;                     ///< the event being handled, for log lines
  std::string trace_id;                     ///< for log lines
};

/// The customer of tenant `business_id` with the number `facts.phone_digits` (its ('phone',
/// digits) identity first, else the oldest customer whose customers.phone it is), or a new
/// customer with that number and name. The ('phone', digits) identity and `facts.identity` are
/// linked to it unless already linked; a found customer's unknown name and phone are filled in,
/// never overwritten. Concurrent callers for the same number (a resolver, a calls and a tools
/// worker) end with one customer: a customer created here loses to one another transaction
/// linked the number to first (ours is deleted). Without phone digits, a new customer is created
/// and linked to `facts.identity` (callers look the identity up first).
/// `tx` must be scoped to `business_id` (db::TenantWork). Throws pqxx errors and RetryableError.
std::string FindOrCreateCustomer(pqxx::transaction_base& tx, const std::string& business_id,
                                 const CustomerFacts& facts);

/// The customer who calls from the E.164 number `caller`: the same customer as the WhatsApp
/// sender whose wa_id is its digits, or as an earlier caller, or a new one with that number
/// (FindOrCreateCustomer with ('phone', digits)); `name`, when given, fills an unknown name.
/// nullopt when `caller` is not an E.164 number (a web call, a withheld number): nothing is
/// written. `tx` must be scoped to `business_id` (db::TenantWork). Throws pqxx errors and
/// RetryableError.
std::optional<std::string> CustomerByPhone(pqxx::transaction_base& tx,
                                           const std::string& business_id, std::string_view caller,
                                           std::string_view name = {});

/// Fills customer `customer_id`'s name and phone where they are unknown (empty arguments change
/// nothing; known values are never overwritten). `tx` must be scoped to `business_id`.
void FillCustomerDetails(pqxx::transaction_base& tx, const std::string& business_id,
                         const std::string& customer_id, const std::string& name,
                         const std::string& phone_digits);

}  // namespace switchboard::customers
