// The admin API's OpenAPI document (schemas/admin-api.openapi.json) against the real service:
// every documented operation answers (no route is missing), with a status the document lists for
// it, and a body that validates against the schema documented for that status.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/support/admin_service.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "tests/support/topic_schema.hpp"

namespace {

using namespace switchboard::testing;
using namespace std::chrono_literals;

std::string Serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

/// Validates bodies against a component schema of the document ("#/components/schemas/<name>"),
/// with the other components there for its $refs.
std::string Problems(const rapidjson::Document& openapi, const std::string& reference,
                     const std::string& body) {
  rapidjson::Document schema;
  schema.SetObject();
  schema.AddMember("$ref", rapidjson::Value(reference.c_str(), schema.GetAllocator()),
                   schema.GetAllocator());
  rapidjson::Value components(openapi["components"], schema.GetAllocator());
  schema.AddMember("components", components, schema.GetAllocator());
  const rapidjson::SchemaDocument compiled(schema);
  rapidjson::Document parsed;
  if (parsed.Parse(body.c_str()).HasParseError()) return "not JSON: " + body;
  rapidjson::SchemaValidator validator(compiled);
  if (parsed.Accept(validator)) return "";
  rapidjson::StringBuffer where;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  return std::string("invalid at ") + where.GetString() + " (" +
         validator.GetInvalidSchemaKeyword() + "): " + body;
}

std::string Between(const std::string& text, const std::string& key) {
  const std::string marker = "\"" + key + "\":\"";
  const std::size_t start = text.find(marker);
  REQUIRE_MESSAGE(start != std::string::npos, key << " in " << text);
  const std::size_t end = text.find('"', start + marker.size());
  return text.substr(start + marker.size(), end - start - marker.size());
}

}  // namespace

TEST_CASE("admin API: every operation of the OpenAPI document exists and answers as documented") {
  rapidjson::Document openapi;
  REQUIRE_FALSE(
      openapi.Parse(ReadSourceFile("schemas/admin-api.openapi.json").c_str()).HasParseError());
  REQUIRE(std::string(openapi["openapi"].GetString()).starts_with("3.1"));
  // The validator resolves the document's references (else it would accept anything).
  REQUIRE(Problems(openapi, "#/components/schemas/Tenant", R"({"id":"x"})") != "");
  REQUIRE(Problems(openapi, "#/components/schemas/Customer",
                   R"({"id":"0b6d7c1e-1111-4f3a-9d2e-000000000001","name":null,"phone":"49"})") ==
          "");

  FakeGraphApi graph;
  AdminService admin({{"META_APP_ID", "openapi-app"}, {"GRAPH_BASE_URL", graph.Url()}});
  const auto call = [&admin](const std::string& method, const std::string& target,
                             const std::string& body) {
    return admin.AsAdmin(method, target, body);
  };

  // A tenant with one of everything the paths name.
  const auto tenant =
      call("POST", "/v1/tenants",
           R"({"name":"OpenAPI Dental","timezone":"Europe/Berlin","language":"en"})");
  REQUIRE_MESSAGE(tenant.status == 201, tenant.body);
  std::map<std::string, std::string> ids;
  ids["id"] = Between(tenant.body, "id");
  const std::string base = "/v1/tenants/" + ids["id"];
  ids["sid"] = Between(
      call("POST", base + "/services", R"({"name":"Cleaning","duration_minutes":45})").body, "id");
  ids["kid"] = Between(call("POST", base + "/knowledge",
                            R"({"title":"Hours","format":"text","content":"Open 9 to 5."})")
                           .body,
                       "id");
  ids["iid"] = Between(
      call("POST", base + "/integrations",
           R"({"type":"whatsapp","platform_id":"1)" + RandomDigits(14) + R"(","access_token":"t"})")
          .body,
      "id");
  const auto seeded = Owner(
      "WITH customer AS (INSERT INTO customers (business_id, name, phone) "
      "  VALUES ($1, 'Ann', $2) RETURNING id), "
      "identity AS (INSERT INTO customer_identities (business_id, customer_id, channel, "
      "  external_id) SELECT $1, id, 'whatsapp', $2 FROM customer), "
      "conversation AS (INSERT INTO conversations (business_id, customer_id, channel, "
      "  last_inbound_at) SELECT $1, id, 'whatsapp', now() FROM customer RETURNING id), "
      "message AS (INSERT INTO messages (business_id, conversation_id, role, content, channel, "
      "  status) SELECT $1, id, 'user', 'Hello?', 'whatsapp', 'received' FROM conversation), "
      "appointment AS (INSERT INTO appointments (business_id, customer_id, starts_at, ends_at) "
      "  SELECT $1, id, now() + interval '1 day', now() + interval '1 day 30 minutes' "
      "  FROM customer RETURNING id) "
      "SELECT (SELECT id::text FROM conversation), (SELECT id::text FROM appointment)",
      ids["id"], "49151" + RandomDigits(8));
  ids["cid"] = seeded[0][0].as<std::string>();
  ids["aid"] = seeded[0][1].as<std::string>();

  // The example integration's platform id is connected once per database: free it for this run.
  Owner("DELETE FROM integrations WHERE type = 'messenger' AND platform_id = '1234567890'");

  // Every operation; deletions and the deactivation after the rest, as they remove what others
  // use.
  struct Operation {
    std::string method;
    std::string path;
    const rapidjson::Value* operation;
  };
  std::vector<Operation> operations;
  for (const auto& path : openapi["paths"].GetObject()) {
    for (const auto& member : path.value.GetObject()) {
      const std::string method = member.name.GetString();
      if (method == "parameters") continue;
      std::string upper;
      for (const char c : method) upper += static_cast<char>(std::toupper(c));
      operations.push_back({upper, path.name.GetString(), &member.value});
    }
  }
  const auto rank = [](const Operation& operation) {
    if (operation.path.ends_with("/deactivate")) return 2;
    return operation.method == "DELETE" ? 1 : 0;
  };
  std::stable_sort(operations.begin(), operations.end(),
                   [&rank](const Operation& a, const Operation& b) { return rank(a) < rank(b); });
  REQUIRE(operations.size() >= 20);

  for (const Operation& operation : operations) {
    std::string target = operation.path;
    for (const auto& [name, value] : ids) {
      const std::string placeholder = "{" + name + "}";
      for (std::size_t at = target.find(placeholder); at != std::string::npos;
           at = target.find(placeholder)) {
        target.replace(at, placeholder.size(), value);
      }
    }
    REQUIRE_MESSAGE(target.find('{') == std::string::npos, target);
    std::string body;
    const rapidjson::Value& op = *operation.operation;
    if (op.HasMember("requestBody")) {
      const auto& media = op["requestBody"]["content"]["application/json"];
      REQUIRE_MESSAGE(media.HasMember("example"), operation.method << " " << operation.path);
      body = Serialize(media["example"]);
    }
    if (operation.path.ends_with("/meta/connect")) {
      MetaLogin login;
      login.business_account = "2" + RandomDigits(14);
      login.phone_number_id = "1" + RandomDigits(14);
      login.page_id = "3" + RandomDigits(14);
      login.instagram_id = "4" + RandomDigits(14);
      ScriptMetaLogin(graph, login);
    }
    const auto answer = call(operation.method, target, body);
    INFO(operation.method << " " << operation.path << " -> " << answer.status << " "
                          << answer.body);
    CHECK(answer.body.find("no such route") == std::string::npos);
    CHECK(answer.status != 405);
    CHECK(answer.status < 400);
    const std::string status = std::to_string(answer.status);
    REQUIRE(op["responses"].HasMember(status.c_str()));
    const auto& documented = op["responses"][status.c_str()];
    if (documented.HasMember("content")) {
      const std::string reference =
          documented["content"]["application/json"]["schema"]["$ref"].GetString();
      CHECK(Problems(openapi, reference, answer.body) == "");
    } else {
      CHECK(answer.body.empty());
    }
  }

  // Errors follow the Error schema.
  const auto missing = call("GET", "/v1/tenants/00000000-0000-4000-8000-000000000000", "");
  CHECK(missing.status == 404);
  CHECK(Problems(openapi, "#/components/schemas/Error", missing.body) == "");
  CHECK(admin.Stop() == 0);
}
