#include "common/knowledge_embeddings.hpp"

#include <charconv>
#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

namespace switchboard {
namespace {

std::string RealArray(const std::vector<float>& vector) {
  std::string literal = "{";
  char buffer[32];
  for (std::size_t i = 0; i < vector.size(); ++i) {
    if (i > 0) literal.push_back(',');
    literal.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, vector[i]).ptr);
  }
  literal.push_back('}');
  return literal;
}

struct PendingChunk {
  std::string id;
  std::string heading;
  std::string content;
  std::string text;
};

}  // namespace

std::string ChunkEmbeddingText(const std::string& title, const std::string& heading,
                               const std::string& content) {
  const std::string& label = heading.empty() ? title : heading;
  return label.empty() ? content : label + "\n\n" + content;
}

EmbedChunksSummary EmbedKnowledgeChunks(pqxx::connection& connection,
                                        const EmbeddingsClient& client,
                                        const std::string& business_id) {
  EmbedChunksSummary summary;
  const int batch = static_cast<int>(client.BatchSize());
  std::string after;  // keyset pagination: a chunk that changed meanwhile is not read again
  for (;;) {
    std::vector<PendingChunk> pending;
    {
      pqxx::read_transaction tx(connection);
      const auto rows = tx.exec_params(
          "SELECT c.id::text, coalesce(c.heading, ''), c.content, i.title "
          "FROM knowledge_chunks c "
          "JOIN knowledge_items i ON i.business_id = c.business_id AND i.id = c.item_id "
          "WHERE c.embedding_model IS DISTINCT FROM $1 AND ($2 = '' OR c.business_id = "
          "  NULLIF($2, '')::uuid) AND c.id::text > $3 "
          "ORDER BY c.id::text LIMIT $4",
          client.Model(), business_id, after, batch);
      for (const auto& row : rows) {
        PendingChunk chunk{
            row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), {}};
        chunk.text = ChunkEmbeddingText(row[3].as<std::string>(), chunk.heading, chunk.content);
        pending.push_back(std::move(chunk));
      }
    }
    if (pending.empty()) return summary;
    after = pending.back().id;

    std::vector<std::string> texts;
    texts.reserve(pending.size());
    for (const auto& chunk : pending) texts.push_back(chunk.text);
    auto vectors = client.Embed(texts);
    if (!vectors.ok()) throw std::runtime_error(vectors.error().message);

    pqxx::work tx(connection);
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const auto written = tx.exec_params(
          "UPDATE knowledge_chunks SET embedding = $2::real[], embedding_model = $3 "
          "WHERE id = $1::uuid AND content = $4 AND coalesce(heading, '') = $5",
          pending[i].id, RealArray((*vectors)[i]), client.Model(), pending[i].content,
          pending[i].heading);
      if (written.affected_rows() == 1) {
        ++summary.embedded;
      } else {
        ++summary.changed_meanwhile;
      }
    }
    tx.commit();
  }
}

}  // namespace switchboard
