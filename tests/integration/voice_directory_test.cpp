// ingest's voice directory against the PostgreSQL tests/run started: voice_directory() (migration
// 0009) read as the application role, and the background refresh picking up a new number.
#include <doctest/doctest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <pqxx/pqxx>
#include <thread>

#include "ingest/voice_directory_store.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard;
using namespace std::chrono_literals;
using testing::RequireEnv;

template <typename... Params>
void Owner(const std::string& sql, Params&&... params) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  tx.exec_params(sql, std::forward<Params>(params)...);
  tx.commit();
}

const ingest::VoiceIntegration* Find(const std::vector<ingest::VoiceIntegration>& all,
                                     const std::string& phone_number_id) {
  for (const auto& integration : all) {
    if (integration.phone_number_id == phone_number_id) return &integration;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("voice directory: every active number with its business, services, limit and usage") {
  const std::string business_id = testing::SeedTenant({}).business_id;
  const std::string suffix = testing::UniqueSuffix();
  Owner("UPDATE businesses SET monthly_voice_minutes_limit = 2, language = 'de' WHERE id = $1",
        business_id);
  Owner(
      "INSERT INTO voice_integrations (business_id, phone_number_id, assistant_id, first_message, "
      "  voice) VALUES ($1, $2, $3, 'Guten Tag!', '{\"provider\":\"11labs\",\"voiceId\":\"v1\"}')",
      business_id, "pn-" + suffix, "asst-" + suffix);
  Owner(
      "INSERT INTO voice_integrations (business_id, phone_number_id, active) "
      "VALUES ($1, $2, false)",
      business_id, "pn-off-" + suffix);
  Owner(
      "INSERT INTO usage_counters (business_id, month, voice_seconds) "
      "VALUES ($1, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 90), "
      "       ($1, (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date, "
      "        5000)",
      business_id);

  // The application role reads across tenants only through voice_directory().
  pqxx::connection app(RequireEnv("DATABASE_URL"));
  const auto all = ingest::LoadVoiceIntegrations(app);
  const ingest::VoiceIntegration* found = Find(all, "pn-" + suffix);
  REQUIRE(found != nullptr);
  CHECK(Find(all, "pn-off-" + suffix) == nullptr);
  CHECK(found->business_id == business_id);
  CHECK(found->assistant_id == "asst-" + suffix);
  CHECK(found->first_message == "Guten Tag!");
  CHECK(found->voice_json.find(R"("voiceId": "v1")") != std::string::npos);
  CHECK(found->business_name == "Test Dental");
  CHECK(found->timezone == "Europe/Berlin");
  CHECK(found->language == "de");
  CHECK(found->personality == "friendly and brief");
  CHECK(found->limit_message == "We cannot answer more messages this month.");
  CHECK(found->hours[1].size() == 1);
  CHECK(found->hours[1][0].open == "09:00");
  CHECK(found->hours[0].empty());
  REQUIRE(found->services.size() == 2);
  CHECK(found->services[0].name == "Check-up");
  CHECK(found->services[0].duration == std::chrono::minutes(30));
  CHECK(found->services[0].price_cents == 6000);
  CHECK(found->services[1].name == "Cleaning");
  CHECK(found->monthly_voice_seconds_limit == 120);
  CHECK(found->voice_seconds_this_month == 90);  // last month's seconds do not count

  // ... while the table itself shows the application role nothing outside a tenant's scope.
  pqxx::work tx(app);
  CHECK(tx.exec_params1("SELECT count(*) FROM voice_integrations WHERE business_id = $1",
                        business_id)[0]
            .as<int>() == 0);
}

TEST_CASE("voice directory: the background refresh brings a new number in without a restart") {
  const std::string business_id = testing::SeedTenant({}).business_id;
  const std::string phone_number_id = "pn-late-" + testing::UniqueSuffix();
  prometheus::Registry registry;
  ingest::VoiceDirectory directory;
  ingest::VoiceDirectoryRefresher refresher(RequireEnv("DATABASE_URL"), 100ms, directory, registry);
  CHECK(directory.Loaded());
  CHECK(directory.Find({.phone_number_id = phone_number_id}) == nullptr);
  Owner("INSERT INTO voice_integrations (business_id, phone_number_id) VALUES ($1, $2)",
        business_id, phone_number_id);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (directory.Find({.phone_number_id = phone_number_id}) == nullptr &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // polling the directory with a deadline
  }
  const auto found = directory.Find({.phone_number_id = phone_number_id});
  REQUIRE(found != nullptr);
  CHECK(found->business_id == business_id);
  Owner("UPDATE voice_integrations SET active = false WHERE phone_number_id = $1", phone_number_id);
  const auto gone_by = std::chrono::steady_clock::now() + 10s;
  while (directory.Find({.phone_number_id = phone_number_id}) != nullptr &&
         std::chrono::steady_clock::now() < gone_by) {
    std::this_thread::sleep_for(20ms);
  }
  CHECK(directory.Find({.phone_number_id = phone_number_id}) == nullptr);
}
