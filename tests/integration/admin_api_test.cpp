// The admin API (switchboard-admin serve, issue 13) as its real binary against the broker and the
// PostgreSQL of tests/run: tenants and their API keys, services, knowledge uploads that the
// agent's search finds at once, conversations, a person's reply through replies.outbound and
// close; a tenant key sees nothing of another tenant, and no token reaches a response or a log
// line.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "common/tenant_scope.hpp"
#include "common/topics/replies_outbound.hpp"
#include "tests/support/admin_service.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/agent/knowledge_search.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

json::Document Json(const HttpResult& result) {
  auto document = json::Parse(result.body);
  REQUIRE_MESSAGE(document.ok(), result.body);
  return std::move(document).value();
}

std::string ErrorCode(const HttpResult& result) {
  const auto document = Json(result);
  const json::Value* error = json::Find(document, "error");
  REQUIRE_MESSAGE(error != nullptr, result.body);
  return json::StringOr(*error, "code");
}

struct CreatedTenant {
  std::string id;
  std::string api_key;
};

CreatedTenant CreateTenant(const AdminService& admin, const std::string& language = "en",
                           const std::string& name = "Admin API Dental") {
  const auto created = admin.AsAdmin(
      "POST", "/v1/tenants",
      R"({"name":")" + name + R"(","timezone":"Europe/Berlin","language":")" + language + R"("})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const auto body = Json(created);
  return {json::StringOr(body, "id"), json::StringOr(body, "api_key")};
}

/// A WhatsApp customer of `business_id` with an open conversation whose last inbound message
/// came `hours_ago` (written to the tenant's number `written_to`, when given), stored as the
/// resolver would (through the owner).
struct SeededConversation {
  std::string conversation_id;
  std::string wa_id;
  std::string inbound_message_id;
};

SeededConversation SeedWhatsAppConversation(const std::string& business_id, int hours_ago,
                                            const std::string& written_to = "") {
  SeededConversation seeded;
  seeded.wa_id = "49151" + RandomDigits(8);
  const auto row = Owner(
      "WITH customer AS (INSERT INTO customers (business_id, name, phone) "
      "  VALUES ($1, 'Ann', $2) RETURNING id), "
      "identity AS (INSERT INTO customer_identities (business_id, customer_id, channel, "
      "  external_id) SELECT $1, id, 'whatsapp', $2 FROM customer), "
      "conversation AS (INSERT INTO conversations (business_id, customer_id, channel, "
      "  needs_human, last_inbound_at, channel_account_id) SELECT $1, id, 'whatsapp', true, "
      "  now() - make_interval(hours => $3), NULLIF($4, '') FROM customer RETURNING id), "
      "message AS (INSERT INTO messages (business_id, conversation_id, role, content, channel, "
      "  status, platform_message_id, created_at) SELECT $1, id, 'user', 'Can someone call me?', "
      "  'whatsapp', 'received', 'wamid.' || gen_random_uuid(), "
      "  now() - make_interval(hours => $3) FROM conversation RETURNING id) "
      "SELECT (SELECT id::text FROM conversation), (SELECT id::text FROM message)",
      business_id, seeded.wa_id, hours_ago, written_to);
  seeded.conversation_id = row[0][0].as<std::string>();
  seeded.inbound_message_id = row[0][1].as<std::string>();
  return seeded;
}

/// A WhatsApp integration of the tenant (through the owner), as its platform id.
std::string SeedWhatsAppIntegration(const std::string& business_id) {
  const std::string platform_id = "1" + RandomDigits(14);
  Owner("INSERT INTO integrations (business_id, type, platform_id) VALUES ($1, 'whatsapp', $2)",
        business_id, platform_id);
  return platform_id;
}

}  // namespace

TEST_CASE(
    "admin API: a tenant is created with an API key shown once, read, patched, rotated and "
    "deactivated") {
  AdminService admin;
  CHECK(admin.Call("POST", "/v1/tenants", "", R"({"name":"x"})").status == 401);
  CHECK(admin.Call("POST", "/v1/tenants", "wrong", R"({"name":"x"})").status == 401);
  const auto bad = admin.AsAdmin("POST", "/v1/tenants", R"({"name":"x","timezone":"UTC"})");
  CHECK(bad.status == 400);
  CHECK(ErrorCode(bad) == "bad_request");
  CHECK(bad.body.find("language") != std::string::npos);

  const auto created =
      admin.AsAdmin("POST", "/v1/tenants",
                    R"({"name":"Zahnarzt Berg","timezone":"Europe/Berlin","language":"de",)"
                    R"("opening_hours":{"monday":[{"open":"08:00","close":"12:00"}]},)"
                    R"("settings":{"greeting":"Hallo!"}})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const auto body = Json(created);
  const std::string id = json::StringOr(body, "id");
  const std::string key = json::StringOr(body, "api_key");
  CHECK(json::StringOr(body, "name") == "Zahnarzt Berg");
  CHECK(json::StringOr(body, "slug").starts_with("zahnarzt-berg-"));
  CHECK(json::Bool(body, "active") == true);
  CHECK(key.starts_with("sbk_" + id + "_"));
  // Stored hashed only.
  CHECK(Owner("SELECT encode(api_key_hash, 'hex') FROM businesses WHERE id = $1", id)[0][0]
            .as<std::string>()
            .find(key.substr(key.size() - 20)) == std::string::npos);

  // The platform's list has it (newest first); a tenant key has no list.
  const auto list = admin.AsAdmin("GET", "/v1/tenants?limit=50");
  REQUIRE(list.status == 200);
  CHECK(list.body.find(R"("id":")" + id + R"(","name":"Zahnarzt Berg")") != std::string::npos);
  CHECK(list.body.find("api_key") == std::string::npos);
  CHECK(admin.Call("GET", "/v1/tenants", key).status == 404);
  CHECK(admin.AsAdmin("GET", "/v1/tenants?limit=0").status == 400);

  const auto read = admin.Call("GET", "/v1/tenants/" + id, key);
  REQUIRE(read.status == 200);
  CHECK(read.body.find("api_key") == std::string::npos);
  CHECK(json::StringOr(Json(read), "language") == "de");

  const auto patched = admin.Call("PATCH", "/v1/tenants/" + id, key, R"({"name":"Praxis Berg"})");
  REQUIRE_MESSAGE(patched.status == 200, patched.body);
  CHECK(json::StringOr(Json(patched), "name") == "Praxis Berg");
  CHECK(json::StringOr(Json(patched), "timezone") == "Europe/Berlin");

  const auto rotated = admin.Call("POST", "/v1/tenants/" + id + "/api-key", key);
  REQUIRE(rotated.status == 201);
  const std::string new_key = json::StringOr(Json(rotated), "api_key");
  CHECK(new_key != key);
  CHECK(admin.Call("GET", "/v1/tenants/" + id, key).status == 401);
  CHECK(admin.Call("GET", "/v1/tenants/" + id, new_key).status == 200);

  // Only the platform deactivates; the tenant's key then stops working, its data stays.
  CHECK(admin.Call("POST", "/v1/tenants/" + id + "/deactivate", new_key).status == 404);
  const auto deactivated = admin.AsAdmin("POST", "/v1/tenants/" + id + "/deactivate");
  REQUIRE(deactivated.status == 200);
  CHECK(json::Bool(Json(deactivated), "active") == false);
  CHECK(admin.Call("GET", "/v1/tenants/" + id, new_key).status == 401);
  CHECK(admin.AsAdmin("GET", "/v1/tenants/" + id).status == 200);
  CHECK(admin.AsAdmin("GET", "/v1/tenants/00000000-0000-4000-8000-000000000000").status == 404);
}

TEST_CASE("admin API: a deactivated tenant's channels are no longer routed") {
  AdminService admin;
  const CreatedTenant tenant = CreateTenant(admin);
  const std::string platform_id = SeedWhatsAppIntegration(tenant.id);
  const std::string lookup = "SELECT count(*) FROM resolve_integration('whatsapp', $1)";
  CHECK(Owner(lookup, platform_id)[0][0].as<int>() == 1);
  REQUIRE(admin.AsAdmin("POST", "/v1/tenants/" + tenant.id + "/deactivate").status == 200);
  CHECK(Owner(lookup, platform_id)[0][0].as<int>() == 0);
}

TEST_CASE("admin API: services are created, listed, patched and deleted, a taken name is 409") {
  AdminService admin;
  const CreatedTenant tenant = CreateTenant(admin);
  const std::string base = "/v1/tenants/" + tenant.id + "/services";
  const auto created = admin.Call(
      "POST", base, tenant.api_key,
      R"({"name":"Cleaning","duration_minutes":45,"price_cents":9000,"currency":"EUR"})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string sid = json::StringOr(Json(created), "id");
  CHECK(admin.Call("POST", base, tenant.api_key, R"({"name":"Cleaning","duration_minutes":30})")
            .status == 409);
  CHECK(admin.Call("POST", base, tenant.api_key, R"({"name":"X","duration_minutes":"long"})")
            .status == 400);

  const auto patched =
      admin.Call("PATCH", base + "/" + sid, tenant.api_key, R"({"price_cents":9500})");
  REQUIRE_MESSAGE(patched.status == 200, patched.body);
  CHECK(json::Int(Json(patched), "price_cents") == 9500);
  CHECK(json::Int(Json(patched), "duration_minutes") == 45);
  // The facts passages follow (migration 0007's triggers).
  CHECK(Owner("SELECT count(*) FROM knowledge_chunks c JOIN knowledge_items i ON i.id = c.item_id "
              "WHERE i.business_id = $1 AND i.source = 'facts' AND c.content LIKE '%95.00 EUR%'",
              tenant.id)[0][0]
            .as<int>() > 0);

  const auto listed = admin.Call("GET", base, tenant.api_key);
  REQUIRE(listed.status == 200);
  const auto items = Json(listed);
  REQUIRE(json::Find(items, "items") != nullptr);
  CHECK(json::Find(items, "items")->Size() == 1);

  CHECK(admin.Call("DELETE", base + "/" + sid, tenant.api_key).status == 204);
  CHECK(admin.Call("DELETE", base + "/" + sid, tenant.api_key).status == 404);
  CHECK(json::Find(Json(admin.Call("GET", base, tenant.api_key)), "items")->Size() == 0);
}

TEST_CASE(
    "admin API: a German document uploaded as HTML is found at once by a German question "
    "with an inflected word, through the german configuration") {
  AdminService admin;
  const CreatedTenant german = CreateTenant(admin, "de", "Zahnarztpraxis Sonne");
  const CreatedTenant english = CreateTenant(admin, "en", "Sun Dental");
  const std::string document =
      R"({"title":"Behandlungen","format":"html","content":")"
      R"(<h1>Unsere Behandlungen</h1><p>Professionelle Zahnreinigungen dauern 45 Minuten )"
      R"(und kosten 90 Euro. Bleichungen bieten wir samstags an.</p>"})";
  for (const CreatedTenant* tenant : {&german, &english}) {
    const auto uploaded =
        admin.Call("POST", "/v1/tenants/" + tenant->id + "/knowledge", tenant->api_key, document);
    REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
    CHECK(json::Int(Json(uploaded), "chunks") == 1);
  }
  // Indexed with the tenant's language: the german stemmer makes "Zahnreinigung" match
  // "Zahnreinigungen", the english one does not.
  const std::string matches =
      "SELECT bool_or(c.tsv @@ plainto_tsquery('german', 'Zahnreinigung')) "
      "FROM knowledge_chunks c JOIN knowledge_items i ON i.id = c.item_id "
      "WHERE i.business_id = $1 AND i.source = 'api:html'";
  CHECK(Owner(matches, german.id)[0][0].as<bool>());
  CHECK_FALSE(Owner(matches, english.id)[0][0].as<bool>());

  pqxx::connection app(RequireEnv("DATABASE_URL"));
  db::TenantWork tx(app, german.id, db::TenantWork::Access::kReadOnly);
  const auto passages =
      agent::SearchKnowledge(tx, {german.id, "Was kostet eine Zahnreinigung?", 4, {}, {}});
  tx.commit();
  REQUIRE_FALSE(passages.empty());
  CHECK(passages.front().title == "Behandlungen");
  CHECK(passages.front().heading == "Unsere Behandlungen");
  CHECK(passages.front().content.find("90 Euro") != std::string::npos);

  const auto listed = admin.Call("GET", "/v1/tenants/" + german.id + "/knowledge", german.api_key);
  REQUIRE(listed.status == 200);
  const auto items = Json(listed);
  REQUIRE(json::Find(items, "items")->Size() == 1);
  const std::string kid = json::StringOr((*json::Find(items, "items"))[0], "id");
  CHECK(json::StringOr((*json::Find(items, "items"))[0], "format") == "html");
  const auto reindexed = admin.Call(
      "POST", "/v1/tenants/" + german.id + "/knowledge/" + kid + "/reindex", german.api_key);
  CHECK(reindexed.status == 200);
  CHECK(admin.Call("DELETE", "/v1/tenants/" + german.id + "/knowledge/" + kid, german.api_key)
            .status == 204);
  CHECK(Owner("SELECT count(*) FROM knowledge_chunks WHERE item_id = $1", kid)[0][0].as<int>() ==
        0);
  CHECK(admin
            .Call("POST", "/v1/tenants/" + german.id + "/knowledge", german.api_key,
                  R"({"title":"x","content":"y","format":"pdf"})")
            .status == 400);
}

TEST_CASE(
    "admin API: a person's reply is stored as human, hands the conversation off and is "
    "queued on replies.outbound once, outside WhatsApp's 24 hours it is 409, close") {
  AdminService admin;
  const CreatedTenant tenant = CreateTenant(admin);
  SeedWhatsAppIntegration(tenant.id);  // the tenant's first number
  // The customer wrote to the second: the reply goes out through it.
  const std::string platform_id = SeedWhatsAppIntegration(tenant.id);
  const SeededConversation open = SeedWhatsAppConversation(tenant.id, 1, platform_id);
  const SeededConversation stale = SeedWhatsAppConversation(tenant.id, 25);
  const std::string base = "/v1/tenants/" + tenant.id + "/conversations";

  const auto listed = admin.Call("GET", base + "?needs_human=true&limit=1", tenant.api_key);
  REQUIRE_MESSAGE(listed.status == 200, listed.body);
  const auto page = Json(listed);
  REQUIRE(json::Find(page, "items")->Size() == 1);
  const std::string next = json::StringOr(page, "next");
  REQUIRE_FALSE(next.empty());
  const auto second =
      Json(admin.Call("GET", base + "?needs_human=true&limit=1&cursor=" + next, tenant.api_key));
  REQUIRE(json::Find(second, "items")->Size() == 1);
  CHECK(json::StringOr((*json::Find(page, "items"))[0], "id") !=
        json::StringOr((*json::Find(second, "items"))[0], "id"));
  CHECK(json::Find(second, "next")->IsNull());
  const auto& first = (*json::Find(page, "items"))[0];
  CHECK(json::StringOr(*json::Find(first, "customer"), "name") == "Ann");
  CHECK(admin.Call("GET", base + "?status=open", tenant.api_key).status == 400);
  CHECK(admin.Call("GET", base + "?since=not-a-time", tenant.api_key).status == 400);

  TopicReader replies(RequireEnv("KAFKA_BROKERS"), std::string(topics::RepliesOutbound::kTopic));
  const auto refused = admin.Call("POST", base + "/" + stale.conversation_id + "/messages",
                                  tenant.api_key, R"({"text":"Sorry for the wait!"})");
  CHECK(refused.status == 409);
  CHECK(refused.body.find("24 hours") != std::string::npos);
  CHECK(Owner("SELECT count(*) FROM messages WHERE conversation_id = $1 AND role = 'human'",
              stale.conversation_id)[0][0]
            .as<int>() == 0);

  const auto accepted = admin.Call("POST", base + "/" + open.conversation_id + "/messages",
                                   tenant.api_key, R"({"text":"Hi Ann, this is Maria."})");
  REQUIRE_MESSAGE(accepted.status == 202, accepted.body);
  const std::string message_id = json::StringOr(Json(accepted), "id");
  const auto stored = Owner(
      "SELECT m.role, m.content, m.status, c.status FROM messages m JOIN conversations c "
      "ON c.id = m.conversation_id WHERE m.id = $1",
      message_id);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0][0].as<std::string>() == "human");
  CHECK(stored[0][1].as<std::string>() == "Hi Ann, this is Maria.");
  CHECK(stored[0][3].as<std::string>() == "HANDED_OFF");

  // Other tests may write replies meanwhile: read until ours is there, then a little longer.
  std::vector<topics::Reply> ours;
  std::size_t seen = 0;
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       ours.empty() && std::chrono::steady_clock::now() < deadline;) {
    const auto records = replies.ReadAtLeast(seen + 1, 1s);
    seen = records.size();
    ours.clear();
    for (const auto& record : records) {
      const auto reply = topics::RepliesOutbound::Decode(record);
      if (reply.ok() && reply->conversation_id == open.conversation_id) ours.push_back(*reply);
    }
  }
  REQUIRE(ours.size() == 1);
  CHECK(ours[0].kind == "human");
  CHECK(ours[0].message_id == message_id);
  CHECK(ours[0].text == "Hi Ann, this is Maria.");
  CHECK(ours[0].recipient_id == open.wa_id);
  CHECK(ours[0].channel_account_id == platform_id);
  CHECK(ours[0].in_reply_to == open.inbound_message_id);

  const auto messages =
      Json(admin.Call("GET", base + "/" + open.conversation_id + "/messages", tenant.api_key));
  const auto& items = *json::Find(messages, "items");
  REQUIRE(items.Size() == 2);
  CHECK(json::StringOr(items[0], "role") == "user");
  CHECK(json::StringOr(items[1], "role") == "human");

  const auto closed =
      admin.Call("POST", base + "/" + open.conversation_id + "/close", tenant.api_key);
  REQUIRE_MESSAGE(closed.status == 200, closed.body);
  CHECK(json::StringOr(Json(closed), "status") == "CLOSED");
  CHECK(json::Bool(Json(closed), "needs_human") == false);
  CHECK(admin
            .Call("POST", base + "/" + open.conversation_id + "/messages", tenant.api_key,
                  R"({"text":"one more"})")
            .status == 409);
}

TEST_CASE("admin API: a tenant key gets 404 for everything of another tenant") {
  AdminService admin;
  const CreatedTenant mine = CreateTenant(admin);
  const CreatedTenant other = CreateTenant(admin);
  SeedWhatsAppIntegration(other.id);
  const SeededConversation conversation = SeedWhatsAppConversation(other.id, 1);
  const std::string iid =
      Owner("SELECT id::text FROM integrations WHERE business_id = $1", other.id)[0][0]
          .as<std::string>();
  const std::string aid =
      Owner(
          "INSERT INTO appointments (business_id, customer_id, starts_at, ends_at) "
          "SELECT business_id, customer_id, now() + interval '1 day', "
          "now() + interval '1 day 1 hour' FROM conversations WHERE id = $1 RETURNING id::text",
          conversation.conversation_id)[0][0]
          .as<std::string>();
  const auto service = admin.Call("POST", "/v1/tenants/" + other.id + "/services", other.api_key,
                                  R"({"name":"Check-up","duration_minutes":30})");
  REQUIRE(service.status == 201);
  const std::string sid = json::StringOr(Json(service), "id");
  const auto document = admin.Call("POST", "/v1/tenants/" + other.id + "/knowledge", other.api_key,
                                   R"({"title":"t","content":"Some text","format":"text"})");
  REQUIRE(document.status == 201);
  const std::string kid = json::StringOr(Json(document), "id");

  const std::string theirs = "/v1/tenants/" + other.id;
  const std::string cid = conversation.conversation_id;
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", theirs},
      {"PATCH", theirs},
      {"POST", theirs + "/deactivate"},
      {"POST", theirs + "/api-key"},
      {"POST", theirs + "/services"},
      {"GET", theirs + "/services"},
      {"PATCH", theirs + "/services/" + sid},
      {"DELETE", theirs + "/services/" + sid},
      {"POST", theirs + "/knowledge"},
      {"GET", theirs + "/knowledge"},
      {"DELETE", theirs + "/knowledge/" + kid},
      {"POST", theirs + "/knowledge/" + kid + "/reindex"},
      {"GET", theirs + "/conversations"},
      {"GET", theirs + "/conversations/" + cid + "/messages"},
      {"POST", theirs + "/conversations/" + cid + "/messages"},
      {"POST", theirs + "/conversations/" + cid + "/close"},
      {"GET", theirs + "/usage"},
      {"GET", theirs + "/appointments"},
      {"POST", theirs + "/appointments/" + aid + "/cancel"},
      {"POST", theirs + "/integrations"},
      {"GET", theirs + "/integrations"},
      {"DELETE", theirs + "/integrations/" + iid},
      {"POST", theirs + "/integrations/meta/connect"},
  };
  for (const auto& [method, target] : routes) {
    const auto answer = admin.Call(method, target, mine.api_key, R"({"text":"x","name":"x"})");
    CHECK_MESSAGE(answer.status == 404, method << " " << target << ": " << answer.body);
  }
  // Through its own tenant's path, another tenant's rows do not exist either.
  const std::string own = "/v1/tenants/" + mine.id;
  CHECK(admin.Call("GET", own + "/conversations/" + cid + "/messages", mine.api_key).status == 404);
  CHECK(admin.Call("POST", own + "/conversations/" + cid + "/close", mine.api_key).status == 404);
  CHECK(admin.Call("DELETE", own + "/services/" + sid, mine.api_key).status == 404);
  CHECK(admin.Call("DELETE", own + "/knowledge/" + kid, mine.api_key).status == 404);
  CHECK(admin.Call("DELETE", own + "/integrations/" + iid, mine.api_key).status == 404);
  CHECK(admin.Call("POST", own + "/appointments/" + aid + "/cancel", mine.api_key).status == 404);
  // Nothing changed.
  CHECK(Owner("SELECT status FROM conversations WHERE id = $1", cid)[0][0].as<std::string>() ==
        "ACTIVE");
  CHECK(Owner("SELECT count(*) FROM services WHERE id = $1", sid)[0][0].as<int>() == 1);
  CHECK(Owner("SELECT count(*) FROM integrations WHERE id = $1", iid)[0][0].as<int>() == 1);
  CHECK(Owner("SELECT status FROM appointments WHERE id = $1", aid)[0][0].as<std::string>() ==
        "booked");
}

TEST_CASE("admin API: no token or API key reaches a response or a log line") {
  AdminService admin;
  const CreatedTenant tenant = CreateTenant(admin);
  const std::string rotated_key = json::StringOr(
      Json(admin.Call("POST", "/v1/tenants/" + tenant.id + "/api-key", tenant.api_key)), "api_key");
  const auto read = admin.Call("GET", "/v1/tenants/" + tenant.id, rotated_key);
  CHECK(read.body.find(rotated_key) == std::string::npos);
  CHECK(read.body.find(admin.Token()) == std::string::npos);
  // Refused credentials, in the header and in the query string, are not logged either.
  admin.Call("GET", "/v1/tenants/" + tenant.id + "?token=" + admin.Token() + "x",
             admin.Token() + "x");
  admin.Call("GET", "/v1/tenants/" + tenant.id, tenant.api_key);  // the old key: 401
  CHECK(admin.Stop() == 0);
  const std::string logs = admin.Logs();
  CHECK(logs.find("admin request refused") != std::string::npos);
  CHECK(logs.find(admin.Token()) == std::string::npos);
  CHECK(logs.find(tenant.api_key.substr(41)) == std::string::npos);
  CHECK(logs.find(rotated_key.substr(41)) == std::string::npos);
}

TEST_CASE(
    "admin API: Meta's connect flow against the fake Graph API creates the granted "
    "integrations with encrypted tokens and their expiry, and subscribes them") {
  FakeGraphApi graph;
  AdminService admin({{"META_APP_ID", "app-1234"},
                      {"META_APP_SECRET", "connect-app-secret"},
                      {"GRAPH_BASE_URL", graph.Url()},
                      {"GRAPH_VERSION", "v21.0"}});
  const CreatedTenant tenant = CreateTenant(admin);
  MetaLogin login;
  login.business_account = "2" + RandomDigits(14);
  login.phone_number_id = "1" + RandomDigits(14);
  login.page_id = "3" + RandomDigits(14);
  login.instagram_id = "4" + RandomDigits(14);
  login.user_token = "long-lived-" + RandomDigits(12);
  login.page_token = "page-token-" + RandomDigits(12);
  ScriptMetaLogin(graph, login);
  const std::string connect = "/v1/tenants/" + tenant.id + "/integrations/meta/connect";
  const auto connected =
      admin.Call("POST", connect, tenant.api_key,
                 R"({"code":"the code&=","redirect_uri":"https://app.example/cb"})");
  REQUIRE_MESSAGE(connected.status == 201, connected.body);
  CHECK(connected.body.find(login.user_token) == std::string::npos);
  CHECK(connected.body.find(login.page_token) == std::string::npos);

  // What Meta was asked, in the real wire format.
  const auto requests = graph.Requests();
  REQUIRE(requests.size() == 7);
  CHECK(requests[0].path.starts_with("/v21.0/oauth/access_token?client_id=app-1234&"));
  CHECK(requests[0].path.find("&code=the%20code%26%3D") != std::string::npos);
  CHECK(requests[0].path.find("redirect_uri=https%3A%2F%2Fapp.example%2Fcb") != std::string::npos);
  CHECK(requests[1].path.find("grant_type=fb_exchange_token") != std::string::npos);
  CHECK(requests[3].path.starts_with("/v21.0/" + login.business_account + "/phone_numbers"));
  CHECK(requests[3].Header("Authorization") == "Bearer " + login.user_token);
  CHECK(requests[4].method == "POST");
  CHECK(requests[4].path == "/v21.0/" + login.business_account + "/subscribed_apps");
  CHECK(requests[6].method == "POST");
  CHECK(requests[6].path.starts_with("/v21.0/" + login.page_id + "/subscribed_apps"));
  CHECK(requests[6].Header("Authorization") == "Bearer " + login.page_token);

  // One integration per granted account; the WhatsApp token expires in 5 days: expiring.
  const auto listed =
      Json(admin.Call("GET", "/v1/tenants/" + tenant.id + "/integrations", tenant.api_key));
  const auto& items = *json::Find(listed, "items");
  REQUIRE(items.Size() == 3);
  std::map<std::string, std::pair<std::string, std::string>> by_type;
  for (const auto& item : items.GetArray()) {
    by_type[json::StringOr(item, "type")] = {json::StringOr(item, "platform_id"),
                                             json::StringOr(item, "status")};
  }
  CHECK(by_type["whatsapp"] ==
        std::pair<std::string, std::string>{login.phone_number_id, "expiring"});
  CHECK(by_type["messenger"] == std::pair<std::string, std::string>{login.page_id, "active"});
  CHECK(by_type["instagram"] == std::pair<std::string, std::string>{login.instagram_id, "active"});
  // Stored encrypted: the ciphertext is not the token, and the sender's lookup finds the account.
  const auto stored = Owner(
      "SELECT position(convert_to($2, 'UTF8') IN access_token_ciphertext), token_key_id "
      "FROM integrations WHERE type = 'whatsapp' AND platform_id = $1",
      login.phone_number_id, login.user_token);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0][0].as<int>() == 0);
  CHECK(Owner("SELECT business_id::text FROM resolve_integration('whatsapp', $1)",
              login.phone_number_id)[0][0]
            .as<std::string>() == tenant.id);

  // Connecting again refreshes the same integrations; another tenant gets 409.
  ScriptMetaLogin(graph, login);
  CHECK(admin
            .Call("POST", connect, tenant.api_key,
                  R"({"code":"again","redirect_uri":"https://app.example/cb"})")
            .status == 201);
  CHECK(json::Find(
            Json(admin.Call("GET", "/v1/tenants/" + tenant.id + "/integrations", tenant.api_key)),
            "items")
            ->Size() == 3);
  const CreatedTenant other = CreateTenant(admin);
  ScriptMetaLogin(graph, login);
  CHECK(admin
            .Call("POST", "/v1/tenants/" + other.id + "/integrations/meta/connect", other.api_key,
                  R"({"code":"c","redirect_uri":"https://app.example/cb"})")
            .status == 409);

  // A refused code is the caller's 400; nothing was connected.
  graph.Script(ScriptedAnswer::GraphError(400, 100, "This authorization code has expired."));
  const auto refused =
      admin.Call("POST", "/v1/tenants/" + other.id + "/integrations/meta/connect", other.api_key,
                 R"({"code":"old","redirect_uri":"https://app.example/cb"})");
  CHECK(refused.status == 400);
  CHECK(json::Find(
            Json(admin.Call("GET", "/v1/tenants/" + other.id + "/integrations", other.api_key)),
            "items")
            ->Size() == 0);
  CHECK(admin.Logs().find(login.user_token) == std::string::npos);
  CHECK(admin.Logs().find("connect-app-secret") == std::string::npos);
}

TEST_CASE(
    "admin API: integrations are routed as soon as they are created and no longer once "
    "deleted, their tokens are stored encrypted, another tenant's platform id is 409") {
  AdminService admin;
  const CreatedTenant tenant = CreateTenant(admin);
  const CreatedTenant other = CreateTenant(admin);
  const std::string base = "/v1/tenants/" + tenant.id + "/integrations";
  const std::string platform_id = "1" + RandomDigits(14);
  const std::string token = "EAAG-secret-" + RandomDigits(16);
  const auto created = admin.Call("POST", base, tenant.api_key,
                                  R"({"type":"whatsapp","platform_id":")" + platform_id +
                                      R"(","access_token":")" + token + R"("})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(created.body.find(token) == std::string::npos);
  CHECK(json::Bool(Json(created), "has_access_token") == true);
  CHECK(json::StringOr(Json(created), "status") == "active");
  const std::string iid = json::StringOr(Json(created), "id");
  const std::string lookup =
      "SELECT business_id::text, position(convert_to($2, 'UTF8') IN access_token_ciphertext) "
      "FROM resolve_integration('whatsapp', $1)";
  const auto routed = Owner(lookup, platform_id, token);
  REQUIRE(routed.size() == 1);
  CHECK(routed[0][0].as<std::string>() == tenant.id);
  CHECK(routed[0][1].as<int>() == 0);

  const auto taken = admin.Call("POST", "/v1/tenants/" + other.id + "/integrations", other.api_key,
                                R"({"type":"whatsapp","platform_id":")" + platform_id + R"("})");
  CHECK(taken.status == 409);
  CHECK(ErrorCode(taken) == "conflict");

  const std::string voice_id = "vapi-" + RandomDigits(10);
  REQUIRE(admin
              .Call("POST", base, tenant.api_key,
                    R"({"type":"voice","platform_id":")" + voice_id + R"("})")
              .status == 201);
  CHECK(Owner("SELECT count(*) FROM voice_directory() WHERE phone_number_id = $1", voice_id)[0][0]
            .as<int>() == 1);
  const auto listed = Json(admin.Call("GET", base, tenant.api_key));
  REQUIRE(json::Find(listed, "items")->Size() == 2);
  CHECK(json::StringOr((*json::Find(listed, "items"))[1], "type") == "voice");

  CHECK(admin.Call("DELETE", base + "/" + iid, tenant.api_key).status == 204);
  CHECK(Owner(lookup, platform_id, token).empty());
  CHECK(admin.Call("DELETE", base + "/" + iid, tenant.api_key).status == 404);
}
