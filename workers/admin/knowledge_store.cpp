#include "workers/admin/knowledge_store.hpp"

#include <pqxx/pqxx>

#include "common/knowledge_chunks.hpp"
#include "common/prepared.hpp"
#include "common/tenant_scope.hpp"
#include "workers/admin/sql_time.hpp"

namespace switchboard::admin {

namespace {

constexpr std::string_view kApiSource = "api:";

// The format of an API upload is kept in source as "api:<format>".
constexpr char kColumns[] =
    " i.id::text, i.title, CASE WHEN i.source LIKE 'api:%' THEN substr(i.source, 5) ELSE "
    "i.source END, (SELECT count(*) FROM knowledge_chunks c WHERE c.business_id = i.business_id "
    "AND c.item_id = i.id), " SWITCHBOARD_ISO_UTC("i.created_at");

KnowledgeItem ItemOf(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
          row[3].as<std::size_t>(), row[4].as<std::string>()};
}

}  // namespace

std::size_t WriteKnowledgeChunks(pqxx::transaction_base& tx, const std::string& business_id,
                                 const std::string& item_id, const std::string& body) {
  const auto chunks = ChunkDocument(body);
  for (std::size_t ordinal = 0; ordinal < chunks.size(); ++ordinal) {
    const KnowledgeChunk& chunk = chunks[ordinal];
    // An embedding stays valid only while the text it was computed from does.
    db::Exec(tx,
             "INSERT INTO knowledge_chunks (business_id, item_id, ordinal, heading, content, "
             "  token_count) VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6) "
             "ON CONFLICT (item_id, ordinal) DO UPDATE SET heading = excluded.heading, "
             "  content = excluded.content, token_count = excluded.token_count, "
             "  embedding = CASE WHEN knowledge_chunks.content = excluded.content "
             "    AND knowledge_chunks.heading IS NOT DISTINCT FROM excluded.heading "
             "    THEN knowledge_chunks.embedding END, "
             "  embedding_model = CASE WHEN knowledge_chunks.content = excluded.content "
             "    AND knowledge_chunks.heading IS NOT DISTINCT FROM excluded.heading "
             "    THEN knowledge_chunks.embedding_model END",
             business_id, item_id, static_cast<int>(ordinal), chunk.heading, chunk.content,
             chunk.token_count);
  }
  db::Exec(tx,
           "DELETE FROM knowledge_chunks WHERE business_id = $1 AND item_id = $2 AND ordinal >= $3",
           business_id, item_id, static_cast<int>(chunks.size()));
  return chunks.size();
}

namespace {

/// Cuts `body` into item `id`'s chunks and reads the item back as the API shows it.
KnowledgeItem ChunkAndRead(pqxx::transaction_base& tx, const std::string& business_id,
                           const std::string& id, const std::string& body) {
  WriteKnowledgeChunks(tx, business_id, id, body);
  return ItemOf(db::Exec1(tx,
                          std::string("SELECT") + kColumns +
                              " FROM knowledge_items i WHERE i.business_id = $1 AND i.id = $2",
                          business_id, id));
}

}  // namespace

KnowledgeItem KnowledgeStore::Create(const std::string& business_id, const std::string& title,
                                     const std::string& body, const std::string& format) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  const std::string id = db::Exec1(tx,
                                   "INSERT INTO knowledge_items (business_id, title, body, source) "
                                   "VALUES ($1, $2, $3, $4) RETURNING id::text",
                                   business_id, title, body, std::string(kApiSource) + format)[0]
                             .as<std::string>();
  KnowledgeItem item = ChunkAndRead(tx, business_id, id, body);
  tx.commit();
  return item;
}

std::vector<KnowledgeItem> KnowledgeStore::List(const std::string& business_id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id, db::TenantWork::Access::kReadOnly);
  std::vector<KnowledgeItem> items;
  for (const auto& row : db::Exec(tx,
                                  std::string("SELECT") + kColumns +
                                      " FROM knowledge_items i WHERE i.business_id = $1 AND "
                                      "i.source <> 'facts' ORDER BY i.created_at, i.id",
                                  business_id)) {
    items.push_back(ItemOf(row));
  }
  return items;
}

bool KnowledgeStore::Delete(const std::string& business_id, const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  const auto result = db::Exec(
      tx, "DELETE FROM knowledge_items WHERE business_id = $1 AND id = $2 AND source <> 'facts'",
      business_id, id);
  tx.commit();
  return result.affected_rows() == 1;
}

std::optional<KnowledgeItem> KnowledgeStore::Reindex(const std::string& business_id,
                                                     const std::string& id) const {
  auto connection = pool_.Acquire();
  db::TenantWork tx(*connection, business_id);
  const auto body = db::Exec(tx,
                             "SELECT body FROM knowledge_items WHERE business_id = $1 AND id = $2 "
                             "AND source <> 'facts' FOR UPDATE",
                             business_id, id);
  if (body.empty()) return std::nullopt;
  KnowledgeItem item = ChunkAndRead(tx, business_id, id, body[0][0].as<std::string>());
  tx.commit();
  return item;
}

}  // namespace switchboard::admin
