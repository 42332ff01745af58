#include "workers/admin/admin_routes.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>

#include "common/hmac.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/query_string.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool EqualConstantTime(std::string_view a, std::string_view b) {
  return ConstantTimeEqual({reinterpret_cast<const unsigned char*>(a.data()), a.size()},
                           {reinterpret_cast<const unsigned char*>(b.data()), b.size()});
}

}  // namespace

struct AdminRoutes::Route {
  http::verb method;
  std::string pattern;
  std::vector<std::string> segments;
  Access access;
  ApiHandler handler;

  /// The parameters when `path` matches the pattern.
  std::optional<std::map<std::string, std::string, std::less<>>> Match(
      const std::vector<std::string_view>& path) const {
    if (path.size() != segments.size()) return std::nullopt;
    std::map<std::string, std::string, std::less<>> params;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (IsParameter(segments[i])) {
        if (path[i].empty()) return std::nullopt;
        params.emplace(segments[i].substr(1, segments[i].size() - 2), path[i]);
      } else if (segments[i] != path[i]) {
        return std::nullopt;
      }
    }
    return params;
  }
};

struct AdminRoutes::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("switchboard_http_requests_total")
                     .Help("HTTP requests answered, by route and status")
                     .Register(registry)),
        seconds(prometheus::BuildHistogram()
                    .Name("switchboard_admin_request_seconds")
                    .Help("Time to answer an admin API request, by route")
                    .Register(registry)) {}

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& seconds;
};

const std::string& ApiRequest::Param(std::string_view name) const {
  const auto found = params.find(name);
  if (found == params.end()) throw std::logic_error("route has no parameter " + std::string(name));
  return found->second;
}

std::optional<std::string> ApiRequest::Query(std::string_view name) const {
  return QueryParameter(http.target(), name);
}

ApiError::ApiError(http::status status, std::string code, std::string message)
    : std::runtime_error(std::move(message)), status_(status), code_(std::move(code)) {}

ApiError ApiError::BadRequest(std::string message) {
  return {http::status::bad_request, "bad_request", std::move(message)};
}

ApiError ApiError::NotFound(std::string message) {
  return {http::status::not_found, "not_found", std::move(message)};
}

ApiError ApiError::Conflict(std::string message) {
  return {http::status::conflict, "conflict", std::move(message)};
}

HttpResponse JsonResponse(const HttpRequest& request, http::status status, std::string json) {
  HttpResponse response = MakeResponse(request, status, std::move(json), "application/json");
  response.set(http::field::cache_control, "no-store");
  return response;
}

HttpResponse ErrorResponse(const HttpRequest& request, http::status status, std::string_view code,
                           std::string_view message) {
  json::Writer writer;
  writer.StartObject().Key("error").StartObject();
  writer.Field("code", code).Field("message", message);
  writer.EndObject().EndObject();
  return JsonResponse(request, status, writer.Take());
}

AdminRoutes::AdminRoutes(std::string admin_token, TenantDirectory tenants, OpsProbe ops)
    : admin_token_(std::move(admin_token)),
      tenants_(std::move(tenants)),
      ops_(std::move(ops)),
      metrics_(std::make_unique<Metrics>(*ops_.registry)) {
  if (admin_token_.empty()) throw std::invalid_argument("the admin token must not be empty");
}

AdminRoutes::~AdminRoutes() = default;

void AdminRoutes::Add(http::verb method, std::string pattern, Access access, ApiHandler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  std::vector<std::string> segments;
  for (const auto segment : Segments(pattern)) segments.emplace_back(segment);
  for (const Route& route : routes_) {
    if (route.method == method && route.segments.size() == segments.size()) {
      bool same = true;
      for (std::size_t i = 0; i < segments.size() && same; ++i) {
        same = route.segments[i] == segments[i] ||
               (IsParameter(route.segments[i]) && IsParameter(segments[i]));
      }
      if (same) throw std::invalid_argument("route taken twice: " + pattern);
    }
  }
  if (access == Access::kTenant && pattern.find("/{id}") == std::string::npos) {
    throw std::invalid_argument("a tenant route needs {id}: " + pattern);
  }
  routes_.push_back({method, std::move(pattern), std::move(segments), access, std::move(handler)});
}

HttpResponse AdminRoutes::Handle(const HttpRequest& request) const {
  const auto started = std::chrono::steady_clock::now();
  std::string route = "other";
  HttpResponse response = Answer(request, route);
  const std::string status = std::to_string(response.result_int());
  metrics_->requests.Add({{"route", route}, {"status", status}}).Increment();
  metrics_->seconds
      .Add({{"route", route}},
           prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                   1, 2.5, 5})
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (response.result_int() >= 400) {
    // The route's pattern, never the target: a query string may carry anything.
    Log(response.result_int() >= 500 ? LogLevel::kError : LogLevel::kInfo, "admin request refused",
        {{"method", std::string(request.method_string())},
         {"route", route},
         {"status", static_cast<int>(response.result_int())}});
  }
  return response;
}

HttpResponse AdminRoutes::Answer(const HttpRequest& request, std::string& route_name) const {
  if (auto ops = OpsResponse(request, ops_)) {
    route_name = std::string(TargetPath(request.target()));
    return std::move(*ops);
  }
  const auto path = Segments(TargetPath(request.target()));
  const Route* matched = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  std::string allowed;
  for (const Route& route : routes_) {
    auto found = route.Match(path);
    if (!found) continue;
    if (route.method != request.method()) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(http::to_string(route.method));
      route_name = route.pattern;
      continue;
    }
    matched = &route;
    params = std::move(*found);
    break;
  }
  if (matched == nullptr) {
    if (allowed.empty()) {
      return ErrorResponse(request, http::status::not_found, "not_found", "no such route");
    }
    HttpResponse response = ErrorResponse(request, http::status::method_not_allowed,
                                          "method_not_allowed", "use " + allowed);
    response.set(http::field::allow, allowed);
    return response;
  }
  route_name = matched->pattern;
  Caller caller;
  if (matched->access != Access::kPublic) {
    std::optional<Caller> proven;
    bool tenant_known = true;
    const auto tenant = params.find("id");
    try {
      proven = Authenticate(request);
      // The platform admin reaches every tenant that exists; a tenant key proved its own. On a
      // platform route `{id}` names something else (a dead letter).
      if (proven && proven->platform && matched->access == Access::kTenant &&
          tenant != params.end() && tenants_.exists) {
        tenant_known = tenants_.exists(tenant->second);
      }
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "tenant lookup failed", {{"error", e.what()}});
      return ErrorResponse(request, http::status::service_unavailable, "unavailable",
                           "cannot check credentials now; try again");
    }
    if (!proven) {
      HttpResponse response = ErrorResponse(request, http::status::unauthorized, "unauthorized",
                                            "a valid Bearer token is required");
      response.set(http::field::www_authenticate, "Bearer");
      return response;
    }
    caller = std::move(*proven);
    // A tenant key reaches its own tenant's routes only; elsewhere it sees nothing at all.
    if (!caller.platform && (matched->access == Access::kPlatform || tenant == params.end() ||
                             tenant->second != caller.business_id)) {
      tenant_known = false;
    }
    if (!tenant_known) {
      return ErrorResponse(request, http::status::not_found, "not_found", "tenant not found");
    }
  }
  try {
    return matched->handler(ApiRequest{request, std::move(params), std::move(caller)});
  } catch (const ApiError& e) {
    return ErrorResponse(request, e.Status(), e.Code(), e.what());
  } catch (const std::exception& e) {
    // Handlers' errors (pqxx's carry SQL and the server's message, never a connection string or
    // a parameter's value) are logged, and the caller gets no detail.
    Log(LogLevel::kError, "admin request failed", {{"route", route_name}, {"error", e.what()}});
    return ErrorResponse(request, http::status::internal_server_error, "internal",
                         "internal error (logged)");
  }
}

std::optional<Caller> AdminRoutes::Authenticate(const HttpRequest& request) const {
  const auto header = request.find(http::field::authorization);
  if (header == request.end()) return std::nullopt;
  const std::string_view value = header->value();
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || value.substr(0, kScheme.size()) != kScheme) {
    return std::nullopt;
  }
  const std::string_view token = value.substr(kScheme.size());
  if (EqualConstantTime(token, admin_token_)) return Caller{.platform = true};
  if (!tenants_.key_tenant) return std::nullopt;
  if (auto business = tenants_.key_tenant(token))
    return Caller{.business_id = std::move(*business)};
  return std::nullopt;
}

}  // namespace switchboard::admin
