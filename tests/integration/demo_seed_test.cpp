// switchboard-admin seed-demo's unit against the PostgreSQL of tests/run: the demo tenant is
// written through the owner role and read back the way the stages read it (the application
// role, scoped to the tenant). Each run uses its own phone number id, so the test can run again
// against the same database.
#include "workers/admin/demo_seed.hpp"

#include <doctest/doctest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/tenant_scope.hpp"
#include "common/token_cipher.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/agent/answer_turn.hpp"
#include "workers/agent/context.hpp"
#include "workers/agent/knowledge_search.hpp"

namespace switchboard::admin {
namespace {

using testing::RequireEnv;

/// The ids of the demo tenant's chunks, in a stable order.
std::vector<std::string> ChunkIds(pqxx::connection& owner) {
  pqxx::read_transaction tx(owner);
  std::vector<std::string> ids;
  for (const auto& row : tx.exec_params(
           "SELECT id FROM knowledge_chunks WHERE business_id = $1 ORDER BY item_id, ordinal",
           std::string(kDemoBusinessId))) {
    ids.push_back(row[0].as<std::string>());
  }
  return ids;
}

TEST_CASE("seed-demo: seeding twice leaves one searchable demo tenant with the latest token") {
  const TokenCipher cipher(RequireEnv("TOKEN_ENCRYPTION_KEYS"));
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  DemoSeedOptions options;
  options.whatsapp_phone_number_id = "demo-" + testing::UniqueSuffix();
  options.whatsapp_access_token = "first-token";
  const DemoSeedSummary first = SeedDemoTenant(owner, cipher, options);
  const auto first_chunks = ChunkIds(owner);
  options.whatsapp_access_token = "second-token";
  const DemoSeedSummary second = SeedDemoTenant(owner, cipher, options);

  CHECK(second.services == 3);
  CHECK(second.documents == 5);
  CHECK(second.chunks == first.chunks);
  CHECK(second.chunks >= second.documents);
  CHECK(ChunkIds(owner) == first_chunks);  // updated in place, not replaced
  {
    pqxx::read_transaction tx(owner);
    CHECK(tx.exec1("SELECT count(*) FROM businesses WHERE slug = 'bright-smile-dental'")[0]
              .as<int>() == 1);
    const auto business = tx.exec_params1(
        "SELECT name, timezone, buffer_minutes, booking_horizon_days, monthly_message_limit, "
        "  opening_hours->'saturday'->0->>'open', jsonb_array_length(opening_hours->'sunday'), "
        "  settings ?& array['personality', 'greeting', 'fallback_message', 'limit_message'], "
        "  (SELECT count(*) FROM services WHERE business_id = b.id), "
        "  (SELECT count(*) FROM knowledge_items WHERE business_id = b.id "
        "     AND source <> 'facts'), "
        "  (SELECT count(*) FROM integrations WHERE business_id = b.id) "
        "FROM businesses b WHERE id = $1",
        std::string(kDemoBusinessId));
    CHECK(business[0].as<std::string>() == "Bright Smile Dental");
    CHECK(business[1].as<std::string>() == "Europe/Berlin");
    CHECK(business[2].as<int>() == 10);
    CHECK(business[3].as<int>() == 60);
    CHECK(business[4].as<int>() == 1000);
    CHECK(business[5].as<std::string>() == "10:00");
    CHECK(business[6].as<int>() == 0);
    CHECK(business[7].as<bool>());
    CHECK(business[8].as<int>() == 3);
    CHECK(business[9].as<int>() == 5);
    CHECK(business[10].as<int>() == 1);
  }

  pqxx::connection app(RequireEnv("DATABASE_URL"));
  SUBCASE("the stages find the integration and decrypt the latest token") {
    pqxx::read_transaction tx(app);
    const auto route = tx.exec_params1(
        "SELECT business_id, access_token_ciphertext FROM resolve_integration('whatsapp', $1)",
        options.whatsapp_phone_number_id);
    CHECK(route[0].as<std::string>() == kDemoBusinessId);
    const pqxx::binarystring blob(route[1]);
    const auto token = cipher.Decrypt(blob.str());
    REQUIRE(token.ok());
    CHECK(*token == "second-token");
  }
  SUBCASE("the chunks are searchable within the tenant's scope, and only there") {
    {
      db::TenantWork tx(app, kDemoBusinessId);
      const auto parking = tx.exec(
          "SELECT heading, content FROM knowledge_chunks, websearch_to_tsquery('english', "
          "'parking') AS q WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC, id");
      REQUIRE(parking.size() >= 1);
      CHECK(parking[0][0].as<std::string>() == "Parking and address > Parking");
      CHECK(parking[0][1].as<std::string>().starts_with("You can park for free"));

      // The demo's question is answered with the parking chunk in retrieval-only mode.
      const auto passages =
          agent::SearchKnowledge(tx, {std::string(kDemoBusinessId), "Where can I park?"});
      REQUIRE_FALSE(passages.empty());
      CHECK(passages[0].heading == "Parking and address > Parking");
      CHECK(agent::ConfidentAnswer(passages, agent::ConfidenceRule{}) == 0u);
    }

    // Another tenant sees its own chunks (its facts), none of the demo's.
    const std::string other_id = testing::SeedTenant({}).business_id;
    db::TenantWork other(app, other_id);
    CHECK(other
              .exec_params1("SELECT count(*) FROM knowledge_chunks WHERE business_id <> $1",
                            other_id)[0]
              .as<int>() == 0);
    CHECK(other.exec1("SELECT count(*) FROM knowledge_chunks")[0].as<int>() > 0);
  }
}

}  // namespace
}  // namespace switchboard::admin
