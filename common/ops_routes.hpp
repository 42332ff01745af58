#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "common/http_server.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard {

/// What every process exposes to operators.
struct OpsProbe {
  /// Whether the process can do its work now (its broker, its database); answered by /readyz.
  std::function<bool()> ready;
  std::shared_ptr<prometheus::Registry> registry;
};

/// Answers GET /healthz (alive), /readyz (200 or 503 from `probe.ready`) and /metrics (Prometheus
/// text format); std::nullopt for any other target.
std::optional<HttpResponse> OpsResponse(const HttpRequest& request, const OpsProbe& probe);

}  // namespace switchboard
