#include "workers/admin/console_routes.hpp"

#include <string>

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

std::string_view ContentType(std::string_view name) {
  const auto ends = [name](std::string_view suffix) { return name.ends_with(suffix); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

HttpResponse FileResponse(const HttpRequest& request, const ConsoleFile& file) {
  HttpResponse response =
      MakeResponse(request, http::status::ok, std::string(file.content), ContentType(file.name));
  // The page runs only its own files, talks only to this service, and is never framed.
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
               "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set(http::field::cache_control, "no-cache");
  return response;
}

}  // namespace

void RegisterConsoleRoutes(AdminRoutes& routes) {
  for (const ConsoleFile& file : ConsoleFiles()) {
    const std::string path = file.name == "index.html" ? "/" : "/" + std::string(file.name);
    routes.Add(http::verb::get, path, Access::kPublic,
               [&file](const ApiRequest& request) { return FileResponse(request.http, file); });
  }
}

}  // namespace switchboard::admin
