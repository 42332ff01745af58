#include "tests/support/knowledge_seed.hpp"

#include "common/knowledge_chunks.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/admin/demo_seed.hpp"

namespace switchboard::testing {

std::string InsertKnowledgeDocument(pqxx::work& tx, const std::string& business_id,
                                    const std::string& title, const std::string& body) {
  const auto item = tx.exec_params1(
                          "INSERT INTO knowledge_items (business_id, title, body, source) "
                          "VALUES ($1, $2, $3, 'test') RETURNING id",
                          business_id, title, body)[0]
                        .as<std::string>();
  const auto chunks = ChunkDocument(body);
  for (std::size_t ordinal = 0; ordinal < chunks.size(); ++ordinal) {
    tx.exec_params(
        "INSERT INTO knowledge_chunks (business_id, item_id, ordinal, heading, content, "
        "token_count) VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6)",
        business_id, item, static_cast<int>(ordinal), chunks[ordinal].heading,
        chunks[ordinal].content, chunks[ordinal].token_count);
  }
  return item;
}

std::string InsertDemoLikeTenant(pqxx::work& tx, std::string_view slug_prefix) {
  const admin::DemoContent demo = admin::DemoTenantContent();
  const std::string business_id =
      tx.exec_params1(
            "INSERT INTO businesses (name, slug, settings, timezone, opening_hours, language, "
            "address) VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6, $7) RETURNING id",
            std::string(demo.name), std::string(slug_prefix) + "-" + UniqueSuffix(),
            std::string(demo.settings), std::string(demo.timezone), std::string(demo.opening_hours),
            std::string(demo.language), std::string(demo.address))[0]
          .as<std::string>();
  for (const auto& service : demo.services) {
    tx.exec_params(
        "INSERT INTO services (business_id, name, duration_minutes, price_cents, currency, "
        "description) VALUES ($1, $2, $3, $4, 'EUR', $5)",
        business_id, std::string(service.name), service.duration_minutes,
        static_cast<std::int64_t>(service.price_cents), std::string(service.description));
  }
  for (const auto& document : demo.documents) {
    InsertKnowledgeDocument(tx, business_id, std::string(document.title),
                            std::string(document.body));
  }
  return business_id;
}

}  // namespace switchboard::testing
