#pragma once

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/kafka_reader.hpp"

namespace switchboard::testing {

struct ServiceSpec {
  std::string name;
  int duration_minutes = 30;
  long price_cents = 5000;
  std::string currency = "EUR";
};

/// A tenant for a test: a business with one channel integration, services and knowledge.
struct TenantSpec {
  std::string name = "Test Dental";
  std::string timezone = "Europe/Berlin";
  /// businesses.opening_hours (see migrations/0001_init.sql).
  std::string opening_hours =
      R"({"monday":[{"open":"09:00","close":"17:00"}],"tuesday":[{"open":"09:00","close":"17:00"}],)"
      R"("wednesday":[{"open":"09:00","close":"17:00"}],"thursday":[{"open":"09:00","close":"17:00"}],)"
      R"("friday":[{"open":"09:00","close":"17:00"}],"saturday":[],"sunday":[]})";
  /// businesses.settings.
  std::string settings = R"({"personality":"friendly and brief","greeting":"Hi!",)"
                         R"("fallback_message":"Sorry, a colleague will get back to you shortly.",)"
                         R"("limit_message":"We cannot answer more messages this month."})";
  int monthly_message_limit = 1000;
  std::string channel = "whatsapp";
  std::string access_token = "test-access-token";
  std::vector<ServiceSpec> services = {{"Check-up", 30, 6000}, {"Cleaning", 60, 9000}};
  /// Knowledge documents (title, body); each becomes one chunk.
  std::vector<std::pair<std::string, std::string>> knowledge;
};

/// What SeedTenant created.
struct SeededTenant {
  std::string business_id;
  /// The integration's platform id (WhatsApp phone_number_id), unique per call.
  std::string platform_id;
};

/// Inserts the tenant through the owner connection (DATABASE_OWNER_URL), its token encrypted
/// with TOKEN_ENCRYPTION_KEYS. Every call makes a new tenant with unique slug and platform id.
SeededTenant SeedTenant(const TenantSpec& spec);

/// A string unique in this machine's test runs (time and process based).
std::string UniqueSuffix();

/// `length` random decimal digits (phone numbers, platform ids).
std::string RandomDigits(int length);

/// Runs `sql` with `params` as the owner role (DATABASE_OWNER_URL) in a transaction of its own,
/// committed; returns the rows.
template <typename... Params>
pqxx::result Owner(const std::string& sql, Params&&... params) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  pqxx::result result = tx.exec_params(sql, std::forward<Params>(params)...);
  tx.commit();
  return result;
}

}  // namespace switchboard::testing
