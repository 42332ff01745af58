#pragma once

#include <cstddef>
#include <pqxx/connection>
#include <string>

#include "common/embeddings_client.hpp"

namespace switchboard {

/// What EmbedKnowledgeChunks did.
struct EmbedChunksSummary {
  /// Chunks that got a vector of the client's model.
  std::size_t embedded = 0;
  /// Chunks whose text changed between reading and writing (left for the next run).
  std::size_t changed_meanwhile = 0;
};

/// The text a chunk is embedded as: its heading path (or its document's title) and its content.
std::string ChunkEmbeddingText(const std::string& title, const std::string& heading,
                               const std::string& content);

/// Gives every knowledge chunk that has no vector of `client`'s model one (new chunks, chunks
/// whose text changed, chunks embedded by another model: after EMBEDDINGS_MODEL changed, this
/// re-embeds them all), in batches of the client's batch size: read a batch, call the endpoint
/// with no transaction open, write the vectors of the chunks whose text is still the one that
/// was embedded. `business_id` empty: every tenant (run it as the owner role, which row-level
/// security does not filter). Throws std::runtime_error when the endpoint keeps failing, and
/// database errors.
EmbedChunksSummary EmbedKnowledgeChunks(pqxx::connection& connection,
                                        const EmbeddingsClient& client,
                                        const std::string& business_id = {});

}  // namespace switchboard
