#include "common/ops_routes.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace switchboard {

namespace http = boost::beast::http;

std::optional<HttpResponse> OpsResponse(const HttpRequest& request, const OpsProbe& probe) {
  const std::string_view target = request.target();
  if (request.method() != http::verb::get) return std::nullopt;
  if (target == "/healthz") return MakeResponse(request, http::status::ok, "ok\n");
  if (target == "/readyz") {
    const bool ready = probe.ready ? probe.ready() : true;
    return MakeResponse(request, ready ? http::status::ok : http::status::service_unavailable,
                        ready ? "ready\n" : "not ready\n");
  }
  if (target == "/metrics") {
    prometheus::TextSerializer serializer;
    return MakeResponse(request, http::status::ok, serializer.Serialize(probe.registry->Collect()),
                        "text/plain; version=0.0.4");
  }
  return std::nullopt;
}

}  // namespace switchboard
