#pragma once

#include <cstddef>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "common/db_pool.hpp"

namespace switchboard::admin {

/// A knowledge document (a knowledge_items row) as the admin API shows it.
struct KnowledgeItem {
  std::string id;
  std::string title;
  /// "text", "markdown" or "html" for documents uploaded through the API; where other documents
  /// came from otherwise (e.g. "demo-seed").
  std::string format;
  std::size_t chunks = 0;
  std::string created_at;  ///< ISO 8601, UTC
};

/// Chunks `body` (common/knowledge_chunks) into the chunks of item `item_id`: upserted by
/// ordinal, ordinals the text no longer has deleted; a chunk whose text changed loses its
/// embedding. The chunks are searchable when `tx` commits (migration 0007's triggers index them).
/// Returns the number of chunks.
std::size_t WriteKnowledgeChunks(pqxx::transaction_base& tx, const std::string& business_id,
                                 const std::string& item_id, const std::string& body);

/// The SQL of a tenant's knowledge documents, each call in a db::TenantWork of `business_id`.
/// The business's facts passages (source 'facts', kept by triggers) are not documents here.
class KnowledgeStore final {
 public:
  explicit KnowledgeStore(db::ConnectionPool& pool) : pool_(pool) {}

  /// Stores a document whose text is `body` (already cleaned) and its chunks.
  KnowledgeItem Create(const std::string& business_id, const std::string& title,
                       const std::string& body, const std::string& format) const;
  std::vector<KnowledgeItem> List(const std::string& business_id) const;
  /// false when the tenant has no such document.
  bool Delete(const std::string& business_id, const std::string& id) const;
  /// Chunks the stored text again; nullopt when the tenant has no such document.
  std::optional<KnowledgeItem> Reindex(const std::string& business_id, const std::string& id) const;

 private:
  db::ConnectionPool& pool_;
};

}  // namespace switchboard::admin
