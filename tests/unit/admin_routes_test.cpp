#include <doctest/doctest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/json.hpp"
#include "workers/admin/admin_routes.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::admin;
namespace http = boost::beast::http;

constexpr char kAdminToken[] = "platform-admin-token";
constexpr char kTenantA[] = "0b6d7c1e-1111-4f3a-9d2e-000000000001";
constexpr char kTenantB[] = "0b6d7c1e-1111-4f3a-9d2e-000000000002";

/// A route table of tenants A and B whose only tenant key is "key-of-a" (tenant A), with routes
/// that echo what they got, refuse, or fail.
struct RoutesUnderTest {
  RoutesUnderTest()
      : registry(std::make_shared<prometheus::Registry>()),
        routes(
            kAdminToken,
            TenantDirectory{[](std::string_view key) -> std::optional<std::string> {
                              if (key == "key-of-a") return std::string(kTenantA);
                              return std::nullopt;
                            },
                            [](std::string_view id) { return id == kTenantA || id == kTenantB; }},
            OpsProbe{[] { return true; }, registry}) {
    routes.Add(http::verb::get, "/v1/tenants/{id}/services/{sid}", Access::kTenant,
               [](const ApiRequest& request) {
                 json::Writer body;
                 body.StartObject()
                     .Field("id", request.Param("id"))
                     .Field("sid", request.Param("sid"))
                     .Field("platform", request.caller.platform)
                     .Field("q", request.Query("q"))
                     .EndObject();
                 return JsonResponse(request.http, http::status::ok, body.Take());
               });
    routes.Add(http::verb::post, "/v1/tenants", Access::kPlatform, [](const ApiRequest& request) {
      if (request.http.body().empty()) throw ApiError::BadRequest("name is required");
      return JsonResponse(request.http, http::status::created, "{}");
    });
    routes.Add(http::verb::get, "/console", Access::kPublic, [](const ApiRequest& request) {
      return MakeResponse(request.http, http::status::ok, "<html></html>", "text/html");
    });
    routes.Add(http::verb::get, "/v1/ops/dlq/{id}", Access::kPlatform,
               [](const ApiRequest& request) {
                 return JsonResponse(request.http, http::status::ok,
                                     R"({"id":")" + request.Param("id") + R"("})");
               });
    routes.Add(http::verb::get, "/v1/boom", Access::kPlatform,
               [](const ApiRequest&) -> HttpResponse { throw std::runtime_error("db gone"); });
  }

  HttpResponse Call(http::verb method, std::string target, std::optional<std::string> token,
                    std::string body = "") {
    HttpRequest request{method, target, 11};
    if (token) request.set(http::field::authorization, "Bearer " + *token);
    request.body() = std::move(body);
    return routes.Handle(request);
  }

  std::shared_ptr<prometheus::Registry> registry;
  AdminRoutes routes;
};

std::string ErrorCode(const HttpResponse& response) {
  auto document = json::Parse(response.body());
  REQUIRE(document.ok());
  const json::Value* error = json::Find(*document, "error");
  REQUIRE(error != nullptr);
  CHECK(json::String(*error, "message").has_value());
  return json::StringOr(*error, "code");
}

}  // namespace

TEST_CASE("admin routes: the platform token reaches every tenant's route with its parameters") {
  RoutesUnderTest t;
  const auto response =
      t.Call(http::verb::get, std::string("/v1/tenants/") + kTenantB + "/services/s1?q=a%20b",
             kAdminToken);
  CHECK(response.result() == http::status::ok);
  CHECK(response[http::field::content_type] == "application/json");
  auto body = json::Parse(response.body());
  REQUIRE(body.ok());
  CHECK(json::StringOr(*body, "id") == kTenantB);
  CHECK(json::StringOr(*body, "sid") == "s1");
  CHECK(json::StringOr(*body, "q") == "a b");
  CHECK(json::Bool(*body, "platform") == true);
}

TEST_CASE("admin routes: the platform token on a tenant that does not exist is 404") {
  RoutesUnderTest t;
  const auto response = t.Call(
      http::verb::get, "/v1/tenants/0b6d7c1e-1111-4f3a-9d2e-000000000003/services/s1", kAdminToken);
  CHECK(response.result() == http::status::not_found);
  CHECK(ErrorCode(response) == "not_found");
}

TEST_CASE("admin routes: on a platform route {id} is not a tenant") {
  RoutesUnderTest t;
  const auto shown = t.Call(http::verb::get, "/v1/ops/dlq/messages.inbound.dlq-0-7", kAdminToken);
  CHECK(shown.result() == http::status::ok);
  CHECK(shown.body() == R"({"id":"messages.inbound.dlq-0-7"})");
  // Still the platform's only: a tenant key does not reach it, even naming its own tenant.
  CHECK(t.Call(http::verb::get, std::string("/v1/ops/dlq/") + kTenantA, "key-of-a").result() ==
        http::status::not_found);
}

TEST_CASE("admin routes: a tenant key reaches its own tenant only, and another tenant is 404") {
  RoutesUnderTest t;
  const auto own =
      t.Call(http::verb::get, std::string("/v1/tenants/") + kTenantA + "/services/s1", "key-of-a");
  CHECK(own.result() == http::status::ok);
  const auto other =
      t.Call(http::verb::get, std::string("/v1/tenants/") + kTenantB + "/services/s1", "key-of-a");
  CHECK(other.result() == http::status::not_found);
  CHECK(ErrorCode(other) == "not_found");
  // A platform route is not there at all for a tenant.
  const auto create = t.Call(http::verb::post, "/v1/tenants", "key-of-a", "{}");
  CHECK(create.result() == http::status::not_found);
}

TEST_CASE("admin routes: a missing, malformed or wrong token is 401 and the handler never runs") {
  RoutesUnderTest t;
  const std::string target = std::string("/v1/tenants/") + kTenantA + "/services/s1";
  for (const auto& token : std::vector<std::optional<std::string>>{
           std::nullopt, "", "wrong", std::string(kAdminToken) + "x", "platform-admin-toke"}) {
    const auto response = t.Call(http::verb::get, target, token);
    CHECK(response.result() == http::status::unauthorized);
    CHECK(ErrorCode(response) == "unauthorized");
    CHECK(response[http::field::www_authenticate] == "Bearer");
  }
  HttpRequest basic{http::verb::get, target, 11};
  basic.set(http::field::authorization, std::string("Basic ") + kAdminToken);
  CHECK(t.routes.Handle(basic).result() == http::status::unauthorized);
}

TEST_CASE("admin routes: errors are JSON with a code, unknown routes 404, wrong methods 405") {
  RoutesUnderTest t;
  const auto bad = t.Call(http::verb::post, "/v1/tenants", kAdminToken);
  CHECK(bad.result() == http::status::bad_request);
  CHECK(ErrorCode(bad) == "bad_request");
  const auto missing = t.Call(http::verb::get, "/v1/nothing", kAdminToken);
  CHECK(missing.result() == http::status::not_found);
  CHECK(ErrorCode(missing) == "not_found");
  const auto method = t.Call(http::verb::delete_, "/v1/tenants", kAdminToken);
  CHECK(method.result() == http::status::method_not_allowed);
  CHECK(method[http::field::allow] == "POST");
  CHECK(ErrorCode(method) == "method_not_allowed");
  const auto failed = t.Call(http::verb::get, "/v1/boom", kAdminToken);
  CHECK(failed.result() == http::status::internal_server_error);
  CHECK(ErrorCode(failed) == "internal");
  CHECK(failed.body().find("db gone") == std::string::npos);
}

TEST_CASE("admin routes: public routes and the ops routes need no token, requests are counted") {
  RoutesUnderTest t;
  CHECK(t.Call(http::verb::get, "/console", std::nullopt).result() == http::status::ok);
  CHECK(t.Call(http::verb::get, "/healthz", std::nullopt).result() == http::status::ok);
  CHECK(t.Call(http::verb::get, "/readyz", std::nullopt).result() == http::status::ok);
  t.Call(http::verb::get, std::string("/v1/tenants/") + kTenantA + "/services/s1", "nope");
  const auto metrics = t.Call(http::verb::get, "/metrics", std::nullopt);
  CHECK(metrics.result() == http::status::ok);
  CHECK(
      metrics.body().find(
          R"(switchboard_http_requests_total{route="/v1/tenants/{id}/services/{sid}",status="401"} 1)") !=
      std::string::npos);
}

TEST_CASE("admin routes: a pattern taken twice or a tenant route without {id} is refused") {
  RoutesUnderTest t;
  const ApiHandler nothing = [](const ApiRequest& request) {
    return JsonResponse(request.http, http::status::ok, "{}");
  };
  CHECK_THROWS_AS(
      t.routes.Add(http::verb::get, "/v1/tenants/{x}/services/{y}", Access::kTenant, nothing),
      std::invalid_argument);
  CHECK_THROWS_AS(t.routes.Add(http::verb::get, "/v1/ops/lag", Access::kTenant, nothing),
                  std::invalid_argument);
  CHECK_NOTHROW(t.routes.Add(http::verb::get, "/v1/ops/lag", Access::kPlatform, nothing));
}
