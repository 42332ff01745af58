// Knowledge retrieval against the PostgreSQL of tests/run: the ranking on the demo's knowledge
// (seeded under a new id), the facts passages kept in sync with businesses and services by the
// triggers of migration 0007, the vocabulary of misspellings kept by those of 0010, and the hybrid
// path with the fake embeddings server. Searches run as the application role scoped to the tenant,
// like the agent; writes go through the owner.
#include <doctest/doctest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/db_pool.hpp"
#include "common/embeddings_client.hpp"
#include "common/knowledge_embeddings.hpp"
#include "common/tenant_scope.hpp"
#include "tests/support/fake_embeddings.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/knowledge_seed.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/agent/agent_store.hpp"
#include "workers/agent/knowledge_search.hpp"
#include "workers/agent/passage_ranking.hpp"

namespace {

using namespace switchboard;
using agent::ConfidenceRule;
using agent::ConfidentAnswer;
using agent::RetrievedPassage;
using testing::RequireEnv;

std::string SeedDemoLike() {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  const std::string id = testing::InsertDemoLikeTenant(tx, "retrieval-test");
  tx.commit();
  return id;
}

void AsOwner(const std::string& sql, const std::string& business_id) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  tx.exec_params(sql, business_id);
  tx.commit();
}

std::vector<RetrievedPassage> Search(const std::string& business_id, const std::string& text,
                                     const std::vector<float>& embedding = {},
                                     const std::string& model = {}) {
  pqxx::connection app(RequireEnv("DATABASE_URL"));
  db::TenantWork tx(app, business_id, db::TenantWork::Access::kReadOnly);
  auto passages = agent::SearchKnowledge(tx, {business_id, text, 4, embedding, model});
  tx.commit();
  return passages;
}

/// What retrieval-only mode answers with: the passage's heading, or "" for the fallback.
std::string Answer(const std::vector<RetrievedPassage>& passages) {
  const auto chosen = ConfidentAnswer(passages, ConfidenceRule{});
  return chosen ? passages[*chosen].source + ":" + passages[*chosen].heading : "";
}

/// The facts passage of `business_id` with heading `heading`: "content|has embedding".
std::string FactsChunk(const std::string& business_id, const std::string& heading) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::read_transaction tx(owner);
  const auto rows = tx.exec_params(
      "SELECT c.content, c.embedding IS NOT NULL FROM knowledge_chunks c "
      "JOIN knowledge_items i ON i.id = c.item_id AND i.business_id = c.business_id "
      "WHERE c.business_id = $1 AND i.source = 'facts' AND c.heading = $2",
      business_id, heading);
  if (rows.empty()) return "";
  return rows[0][0].as<std::string>() + "|" + (rows[0][1].as<bool>() ? "embedded" : "none");
}

TEST_CASE("retrieval: 'What are your opening hours?' is answered with the opening hours") {
  const std::string business = SeedDemoLike();
  const auto passages = Search(business, "What are your opening hours?");
  REQUIRE_FALSE(passages.empty());
  CHECK(passages[0].heading == "Opening hours");
  const std::string answer = Answer(passages);
  CHECK((answer == "facts:Opening hours" || answer == "test:Opening hours"));
  // The emergencies passage mentions the opening hours too, but is not the answer.
  CHECK(answer.find("Emergencies") == std::string::npos);
}

TEST_CASE("retrieval: questions about something else get the fallback, never a wrong passage") {
  const std::string business = SeedDemoLike();
  for (const char* question :
       {"What's the weather like in Berlin today?", "Do you sell toothbrushes?",
        "Do you do root canal treatment?", "Is Dr. Weber a good dentist?", "Hello"}) {
    CAPTURE(question);
    CHECK(Answer(Search(business, question)) == "");
  }
}

TEST_CASE("retrieval: headings outrank passing mentions, in every language the tenant speaks") {
  const std::string business = SeedDemoLike();
  CHECK(Answer(Search(business, "Where can I park?")) == "test:Parking and address > Parking");
  CHECK(Answer(Search(business, "opning hours?")).ends_with("Opening hours"));  // misspelt
  CHECK(Answer(Search(business, "Is the practice wheelchair accessible?")) ==
        "test:Parking and address > Address");  // the thesaurus: wheelchair -> lift

  // German: the tenant's language picks the stemmer; its facts are written in German.
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  const std::string german =
      tx.exec1(
            "INSERT INTO businesses (name, slug, language, opening_hours, address) VALUES "
            "('Salon Test', 'retrieval-test-de-" +
            testing::UniqueSuffix() +
            "', 'de', '{\"tuesday\":[{\"open\":\"09:00\",\"close\":\"18:00\"}]}', "
            "'Leopoldstraße 45, 80802 München') RETURNING id")[0]
          .as<std::string>();
  testing::InsertKnowledgeDocument(tx, german, "Anfahrt",
                                   "# Anfahrt\n## Mit dem Auto\nParkplätze gibt es im Hof.\n");
  tx.commit();
  CHECK(Answer(Search(german, "Wann haben Sie geöffnet?")) == "facts:Öffnungszeiten");
  CHECK(Answer(Search(german, "Was ist Ihre Adresse?")) == "facts:Adresse");
  CHECK(FactsChunk(german, "Öffnungszeiten") ==
        "Öffnungszeiten: geöffnet Dienstag 09:00-18:00; Montag, Mittwoch bis Sonntag "
        "geschlossen.|none");
}

TEST_CASE("facts: hours, services and address are passages, rewritten when the tables change") {
  const std::string business = SeedDemoLike();
  CHECK(FactsChunk(business, "Services and prices > Cleaning") ==
        "Cleaning costs 90.00 EUR and takes 45 minutes. Professional cleaning: tartar and stains "
        "removed, teeth polished.|none");
  CHECK(FactsChunk(business, "Opening hours") ==
        "Opening hours: open Monday to Friday 09:00-17:00, Saturday 10:00-14:00; closed on "
        "Sunday.|none");
  CHECK(FactsChunk(business, "Address") ==
        "Our address: Bright Smile Dental, Friedrichstrasse 123, 10117 Berlin, second floor.|none");

  SUBCASE("a price change reaches the passage the search finds") {
    AsOwner("UPDATE services SET price_cents = 9900 WHERE business_id = $1 AND name = 'Cleaning'",
            business);
    CHECK(FactsChunk(business, "Services and prices > Cleaning")
              .starts_with("Cleaning costs 99.00 EUR and takes 45 minutes."));
    const auto passages = Search(business, "How much is a cleaning?");
    REQUIRE_FALSE(passages.empty());
    bool found = false;
    for (const auto& passage : passages) {
      found |= passage.content.find("99.00 EUR") != std::string::npos;
      CHECK(passage.content.find("Cleaning costs 90.00 EUR") == std::string::npos);
    }
    CHECK(found);
  }
  SUBCASE("new hours, a new service, a removed one, a new address") {
    AsOwner(
        "UPDATE businesses SET opening_hours = '{\"monday\":[{\"open\":\"08:00\","
        "\"close\":\"12:00\"},{\"open\":\"13:00\",\"close\":\"18:00\"}]}', "
        "address = 'Hauptstrasse 1, 10115 Berlin' WHERE id = $1",
        business);
    AsOwner(
        "INSERT INTO services (business_id, name, duration_minutes, price_cents, currency) "
        "VALUES ($1, 'Fluoride varnish', 15, 2500, 'EUR')",
        business);
    AsOwner("DELETE FROM services WHERE business_id = $1 AND name = 'Whitening'", business);
    CHECK(FactsChunk(business, "Opening hours") ==
          "Opening hours: open Monday 08:00-12:00, 13:00-18:00; closed on Tuesday to Sunday.|none");
    CHECK(FactsChunk(business, "Address") ==
          "Our address: Bright Smile Dental, Hauptstrasse 1, 10115 Berlin.|none");
    CHECK(FactsChunk(business, "Services and prices > Fluoride varnish") ==
          "Fluoride varnish costs 25.00 EUR and takes 15 minutes.|none");
    CHECK(FactsChunk(business, "Services and prices > Whitening").empty());
    CHECK(FactsChunk(business, "Services and prices") ==
          "Our services and prices: Check-up 60.00 EUR (30 minutes), Cleaning 90.00 EUR "
          "(45 minutes), Fluoride varnish 25.00 EUR (15 minutes).|none");
  }
}

/// Whether `term` is in the tenant's vocabulary (migration 0010's knowledge_vocabulary).
bool InVocabulary(const std::string& business_id, const std::string& term) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::read_transaction tx(owner);
  return tx.exec_params1(
               "SELECT count(*) FROM knowledge_vocabulary WHERE business_id = $1 AND term = $2",
               business_id, term)[0]
             .as<int>() == 1;
}

TEST_CASE("misspellings: the vocabulary follows the tenant's chunks") {
  const std::string business = SeedDemoLike();
  CHECK(InVocabulary(business, "parking"));
  CHECK_FALSE(InVocabulary(business, "bleaching"));

  AsOwner(
      "WITH item AS (INSERT INTO knowledge_items (business_id, title, body, source) "
      "  VALUES ($1, 'Bleaching', 'Bleaching lightens teeth in one visit.', 'test') "
      "  RETURNING id) "
      "INSERT INTO knowledge_chunks (business_id, item_id, ordinal, heading, content) "
      "SELECT $1, id, 0, NULL, 'Bleaching lightens teeth in one visit.' FROM item",
      business);
  CHECK(InVocabulary(business, "bleaching"));
  const auto passages = Search(business, "bleeching");  // misspelt
  REQUIRE_FALSE(passages.empty());
  CHECK(passages[0].title == "Bleaching");

  AsOwner(
      "UPDATE knowledge_chunks SET content = 'Whiter teeth in one visit.' "
      "WHERE business_id = $1 AND content LIKE 'Bleaching%'",
      business);
  CHECK(InVocabulary(business, "bleaching"));  // still the item's title
  CHECK(InVocabulary(business, "whiter"));
  CHECK_FALSE(InVocabulary(business, "lightens"));

  AsOwner("DELETE FROM knowledge_items WHERE business_id = $1 AND title = 'Bleaching'", business);
  CHECK_FALSE(InVocabulary(business, "bleaching"));
  CHECK_FALSE(InVocabulary(business, "whiter"));
  CHECK(InVocabulary(business, "parking"));  // the other documents' words stay
}

TEST_CASE("embeddings: chunks are embedded once, fused with full text, re-embedded on change") {
  const std::string business = SeedDemoLike();
  testing::FakeEmbeddings fake;
  const EmbeddingsClient client({.base_url = fake.BaseUrl(), .model = "fake-a"});
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));

  const auto first = EmbedKnowledgeChunks(owner, client, business);
  CHECK(first.embedded >= 14);  // 8 document chunks and 6 facts
  CHECK(EmbedKnowledgeChunks(owner, client, business).embedded == 0);  // nothing left to do
  CHECK(FactsChunk(business, "Opening hours").ends_with("|embedded"));

  // A question whose words the full text cannot match ("parc" is too far from "park" for the
  // typo rule) is found through the vector ranking, fused with the text ranking.
  const std::string question = "were can i parc";
  CHECK(Search(business, question).empty());
  const auto vector = client.Embed({question});
  REQUIRE(vector.ok());
  const auto hybrid = Search(business, question, vector->front(), client.Model());
  REQUIRE_FALSE(hybrid.empty());
  bool parking = false;
  for (const auto& passage : hybrid) {
    parking |= passage.heading == "Parking and address > Parking";
    CHECK(passage.similarity.has_value());
    CHECK(passage.score > 0);
  }
  CHECK(parking);
  // Found by its vector alone, it is not enough for retrieval-only mode to answer with.
  CHECK(Answer(hybrid) == "");
  // Vectors of another model are never compared with this one's.
  CHECK(Search(business, question, vector->front(), "another-model").empty());

  SUBCASE("a changed fact loses its vector and gets a new one on the next run") {
    AsOwner("UPDATE services SET price_cents = 9900 WHERE business_id = $1 AND name = 'Cleaning'",
            business);
    CHECK(FactsChunk(business, "Services and prices > Cleaning").ends_with("|none"));
    CHECK(FactsChunk(business, "Opening hours").ends_with("|embedded"));  // untouched
    CHECK(EmbedKnowledgeChunks(owner, client, business).embedded == 2);   // the service, the list
  }
  SUBCASE("a new model re-embeds every chunk") {
    const EmbeddingsClient next({.base_url = fake.BaseUrl(), .model = "fake-b"});
    CHECK(EmbedKnowledgeChunks(owner, next, business).embedded == first.embedded);
    CHECK(fake.Models().back() == "fake-b");
  }
}

/// A customer's turn `text` in a tenant, as the resolver would have stored it; the query the
/// agent loads its context with.
agent::TurnQuery SeedTurnQuery(const std::string& business_id, const std::string& text) {
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(owner);
  const auto customer = tx.exec_params1(
                              "INSERT INTO customers (business_id, name) VALUES ($1, "
                              "'Ann') RETURNING id",
                              business_id)[0]
                            .as<std::string>();
  const auto conversation =
      tx.exec_params1(
            "INSERT INTO conversations (business_id, customer_id, channel) VALUES ($1, "
            "$2, 'whatsapp') RETURNING id",
            business_id, customer)[0]
          .as<std::string>();
  const auto message = tx.exec_params1(
                             "INSERT INTO messages (business_id, conversation_id, role, content, "
                             "channel, status) VALUES ($1, $2, 'user', $3, 'whatsapp', 'received') "
                             "RETURNING id",
                             business_id, conversation, text)[0]
                           .as<std::string>();
  tx.commit();
  agent::TurnQuery query;
  query.business_id = business_id;
  query.customer_id = customer;
  query.conversation_id = conversation;
  query.message_id = message;
  query.text = text;
  query.reply_event_id = "retrieval-test-" + testing::UniqueSuffix();
  query.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return query;
}

TEST_CASE("agent store: the turn's context carries the passages and what retrieval-only answers") {
  const std::string business = SeedDemoLike();
  db::ConnectionPool pool(RequireEnv("DATABASE_URL"), 2);
  agent::AgentStore store(pool);

  auto hours = store.LoadTurnContext(SeedTurnQuery(business, "What are your opening hours?"));
  REQUIRE(hours.retrieval_answer.has_value());
  REQUIRE(*hours.retrieval_answer < hours.passages.size());
  const auto& answer = hours.passages[*hours.retrieval_answer];
  CHECK(answer.heading == "Opening hours");
  CHECK(answer.content.find("Monday") != std::string::npos);

  const auto off_topic =
      store.LoadTurnContext(SeedTurnQuery(business, "What's the weather like in Berlin today?"));
  CHECK_FALSE(off_topic.retrieval_answer.has_value());

  // With the question's embedding (what the handler adds when EMBEDDINGS_BASE_URL is set).
  testing::FakeEmbeddings fake;
  const EmbeddingsClient client({.base_url = fake.BaseUrl(), .model = "fake-store"});
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  EmbedKnowledgeChunks(owner, client, business);
  auto query = SeedTurnQuery(business, "How much is a cleaning?");
  query.embedding = client.Embed({query.text}).value().front();
  query.embedding_model = client.Model();
  const auto priced = store.LoadTurnContext(query);
  REQUIRE(priced.retrieval_answer.has_value());
  const std::string& priced_text = priced.passages[*priced.retrieval_answer].content;
  CHECK(priced_text.find("90") != std::string::npos);
  CHECK(priced_text.find("leaning") != std::string::npos);
}

}  // namespace

TEST_CASE("the text-search configuration of a language is a constant in the search's plan") {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::nontransaction tx(connection);
  for (const auto& [language, config] : std::vector<std::pair<std::string, std::string>>{
           {"en", "english"}, {"de", "german"}, {"nb", "norwegian"}, {"xx", "simple"}}) {
    CHECK(tx.exec_params1("SELECT knowledge_search_config($1)::text", language)[0]
              .as<std::string>() == config);
  }
  // Inlined (migration 0015): the plan holds the CASE of the body, not a call that plans the body
  // again on every execution.
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN (VERBOSE, COSTS OFF) SELECT knowledge_search_config("
                                 "language) FROM businesses")) {
    plan += row[0].as<std::string>() + "\n";
  }
  CHECK_MESSAGE(plan.find("CASE language WHEN") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("knowledge_search_config") == std::string::npos, plan);
}
