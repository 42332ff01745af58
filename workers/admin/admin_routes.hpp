#pragma once

// The admin HTTP service's route table (switchboard-admin serve). Units register their routes on
// it (tenants, integrations, knowledge, conversations, the operator routes and console); it
// authenticates each request, matches it, hands the route's handler the path parameters and the
// caller, and turns what the handler throws into a JSON error. It never logs a token or a query
// string, and counts every answer by route pattern and status.
//
// Authentication: `Authorization: Bearer <token>`, either the platform admin token (every tenant;
// compared in constant time) or a tenant API key (its own tenant only, checked by the
// TenantKeyCheck the service was built with). Missing or wrong: 401. A tenant key on a route of
// another tenant: 404, as if the tenant did not exist.
//
// Errors are {"error":{"code":"...","message":"..."}}: 400 bad_request (the message names the
// field), 401 unauthorized, 404 not_found, 405 method_not_allowed, 409 conflict, 500 internal,
// 502 bad_gateway (a service the API calls failed), 503 unavailable.

#include <boost/beast/http/verb.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_server.hpp"
#include "common/ops_routes.hpp"

namespace switchboard::admin {

/// Who may call a route.
enum class Access {
  /// Anyone, no token (the console's static files; /healthz, /readyz, /metrics are always so).
  kPublic,
  /// The platform admin token only (creating tenants, the operator routes).
  kPlatform,
  /// The platform admin token, or the API key of the tenant the path's `{id}` names.
  kTenant,
};

/// Who is calling: the platform admin, or one tenant through its API key.
struct Caller {
  bool platform = false;
  /// The tenant of the API key; empty for the platform admin and for public routes.
  std::string business_id;
};

/// What a route's handler gets.
struct ApiRequest {
  const HttpRequest& http;
  /// The path parameters by name ("{id}" -> "id"), as written in the path.
  std::map<std::string, std::string, std::less<>> params;
  Caller caller;

  /// The path parameter `name`; it exists when the route's pattern has it.
  const std::string& Param(std::string_view name) const;
  /// The query parameter `name`, percent-decoded; nullopt when absent or malformed.
  std::optional<std::string> Query(std::string_view name) const;
};

/// Thrown by a handler for an answer other than success; the router writes it as the JSON error.
/// The message is shown to the caller: it must never carry a secret.
class ApiError : public std::runtime_error {
 public:
  ApiError(boost::beast::http::status status, std::string code, std::string message);
  boost::beast::http::status Status() const { return status_; }
  const std::string& Code() const { return code_; }

  /// 400 bad_request about `field` ("name must be a non-empty string").
  static ApiError BadRequest(std::string message);
  /// 404 not_found ("tenant not found").
  static ApiError NotFound(std::string message);
  /// 409 conflict.
  static ApiError Conflict(std::string message);

 private:
  boost::beast::http::status status_;
  std::string code_;
};

/// Answers one matched request; throws ApiError for a refusal (anything else is a 500, logged).
using ApiHandler = std::function<HttpResponse(const ApiRequest&)>;

/// Returns the tenant (business id) whose API key `key` is; nullopt when it is no tenant's key.
/// May throw (database unreachable): the request is answered 503.
using TenantKeyCheck = std::function<std::optional<std::string>(std::string_view key)>;

/// Whether a tenant (active or not) with this id (a UUID) exists. May throw like TenantKeyCheck.
using TenantExists = std::function<bool(std::string_view business_id)>;

/// How the route table knows tenants; both may be empty (only the admin token is accepted, and
/// every tenant id is taken to exist).
struct TenantDirectory {
  TenantKeyCheck key_tenant;
  TenantExists exists;
};

/// A JSON response with `status`.
HttpResponse JsonResponse(const HttpRequest& request, boost::beast::http::status status,
                          std::string json);

/// {"error":{"code":code,"message":message}} with `status`.
HttpResponse ErrorResponse(const HttpRequest& request, boost::beast::http::status status,
                           std::string_view code, std::string_view message);

/// The route table of the admin service (see the top of this file).
class AdminRoutes final {
 public:
  /// `admin_token` must not be empty. `tenants` checks tenant API keys and, for the platform
  /// admin, that the tenant of a tenant route exists (404 otherwise). `ops` answers /healthz,
  /// /readyz and /metrics, and its registry holds the request metrics.
  AdminRoutes(std::string admin_token, TenantDirectory tenants, OpsProbe ops);
  ~AdminRoutes();
  AdminRoutes(const AdminRoutes&) = delete;
  AdminRoutes& operator=(const AdminRoutes&) = delete;

  /// Serves `method` on `pattern`: literal segments and `{name}` segments that match one
  /// non-empty segment ("/v1/tenants/{id}/services/{sid}"). A kTenant route's pattern must have
  /// `{id}` (the tenant). Throws std::invalid_argument for a pattern taken twice with the same
  /// method or a kTenant pattern without `{id}`. Call before the first request.
  void Add(boost::beast::http::verb method, std::string pattern, Access access, ApiHandler handler);

  /// Answers one request; never throws.
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  struct Route;
  struct Metrics;

  HttpResponse Answer(const HttpRequest& request, std::string& route_name) const;
  /// The caller the Authorization header proves, nullopt when it proves none.
  std::optional<Caller> Authenticate(const HttpRequest& request) const;

  std::string admin_token_;
  TenantDirectory tenants_;
  OpsProbe ops_;
  std::vector<Route> routes_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace switchboard::admin
