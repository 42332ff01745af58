#pragma once

// The knowledge routes of the admin API:
//   POST /v1/tenants/{id}/knowledge              {title, content, format: text|markdown|html}
//                                                -> 201 {id, title, format, chunks, created_at}
//   GET /v1/tenants/{id}/knowledge               {"items": [...]}
//   DELETE /v1/tenants/{id}/knowledge/{kid}      204
//   POST /v1/tenants/{id}/knowledge/{kid}/reindex  the document chunked again
// The content is cleaned to text (workers/admin/knowledge_text), chunked and indexed in the
// request's transaction: the agent finds it as soon as the answer is out, with the text-search
// configuration of the business's language.

#include "workers/admin/admin_routes.hpp"
#include "workers/admin/knowledge_store.hpp"

namespace switchboard::admin {

/// Registers the knowledge routes.
void RegisterKnowledgeRoutes(AdminRoutes& routes, KnowledgeStore store);

}  // namespace switchboard::admin
