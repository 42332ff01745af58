#include "tests/support/tenant_seed.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <random>

#include "common/token_cipher.hpp"
#include "tests/support/kafka_reader.hpp"

namespace switchboard::testing {

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return std::to_string(std::chrono::system_clock::now().time_since_epoch().count() / 1000) + "-" +
         std::to_string(getpid()) + "-" + std::to_string(counter++);
}

std::string RandomDigits(int length) {
  static std::mt19937_64 random{std::random_device{}()};
  std::string digits;
  for (int i = 0; i < length; ++i) digits += static_cast<char>('0' + random() % 10);
  return digits;
}

SeededTenant SeedTenant(const TenantSpec& spec) {
  const TokenCipher cipher(RequireEnv("TOKEN_ENCRYPTION_KEYS"));
  const std::string token = cipher.Encrypt(spec.access_token);
  const std::string suffix = UniqueSuffix();
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  SeededTenant tenant;
  tenant.platform_id = "pn-" + suffix;
  tenant.business_id =
      tx.exec_params1(
            "INSERT INTO businesses (name, slug, settings, timezone, opening_hours, "
            "monthly_message_limit) VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6) "
            "RETURNING id",
            spec.name, "test-" + suffix, spec.settings, spec.timezone, spec.opening_hours,
            spec.monthly_message_limit)[0]
          .as<std::string>();
  tx.exec_params(
      "INSERT INTO integrations (business_id, type, platform_id, access_token_ciphertext, "
      "token_key_id) VALUES ($1, $2, $3, $4, $5)",
      tenant.business_id, spec.channel, tenant.platform_id,
      pqxx::binarystring(token.data(), token.size()), cipher.CurrentKeyId());
  for (const ServiceSpec& service : spec.services) {
    tx.exec_params(
        "INSERT INTO services (business_id, name, duration_minutes, price_cents, currency) "
        "VALUES ($1, $2, $3, $4, $5)",
        tenant.business_id, service.name, service.duration_minutes, service.price_cents,
        service.currency);
  }
  for (const auto& [title, body] : spec.knowledge) {
    const auto item = tx.exec_params1(
        "INSERT INTO knowledge_items (business_id, title, body) VALUES ($1, $2, $3) RETURNING id",
        tenant.business_id, title, body)[0];
    tx.exec_params(
        "INSERT INTO knowledge_chunks (business_id, item_id, ordinal, heading, content) "
        "VALUES ($1, $2, 0, $3, $4)",
        tenant.business_id, item.as<std::string>(), title, body);
  }
  tx.commit();
  return tenant;
}

}  // namespace switchboard::testing
