#pragma once

#include <pqxx/pqxx>
#include <string>
#include <string_view>

namespace switchboard::testing {

/// Inserts a business with the demo tenant's content (workers/admin/demo_seed.hpp: hours,
/// address, services, documents chunked by ChunkDocument) under a new id and a unique slug, in
/// `tx` (the owner role); returns its id. The facts passages come from migration 0007's triggers.
std::string InsertDemoLikeTenant(pqxx::work& tx, std::string_view slug_prefix);

/// Inserts a knowledge document chunked by ChunkDocument; returns the item's id.
std::string InsertKnowledgeDocument(pqxx::work& tx, const std::string& business_id,
                                    const std::string& title, const std::string& body);

}  // namespace switchboard::testing
