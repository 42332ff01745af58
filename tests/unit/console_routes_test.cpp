// The console's files as the admin service serves them: compiled in from workers/admin/console/,
// no token needed for the files, a policy that lets the page run only its own scripts.
#include <doctest/doctest.h>
#include <prometheus/registry.h>

#include <fstream>
#include <sstream>

#include "workers/admin/console_routes.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::admin;
namespace http = boost::beast::http;

std::string SourceFile(const std::string& name) {
  std::ifstream in(std::string(SWITCHBOARD_SOURCE_DIR) + "/workers/admin/console/" + name);
  REQUIRE_MESSAGE(in, name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

HttpResponse Get(const AdminRoutes& routes, const std::string& target) {
  HttpRequest request{http::verb::get, target, 11};
  return routes.Handle(request);
}

}  // namespace

TEST_CASE("console: / and its files are served as compiled in, without a token") {
  AdminRoutes routes("console-test-token", TenantDirectory{},
                     OpsProbe{[] { return true; }, std::make_shared<prometheus::Registry>()});
  RegisterConsoleRoutes(routes);

  const HttpResponse page = Get(routes, "/");
  REQUIRE(page.result() == http::status::ok);
  CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(page.body() == SourceFile("index.html"));
  CHECK(page["Content-Security-Policy"].find("script-src 'self'") != std::string_view::npos);
  CHECK(page["X-Content-Type-Options"] == "nosniff");

  const HttpResponse script = Get(routes, "/console.js");
  REQUIRE(script.result() == http::status::ok);
  CHECK(script[http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(script.body() == SourceFile("console.js"));
  CHECK(Get(routes, "/console.css")[http::field::content_type] == "text/css; charset=utf-8");

  // The build script is not a console file; unknown files are the API's 404.
  CHECK(Get(routes, "/embed.cmake").result() == http::status::not_found);
  CHECK(Get(routes, "/index.html").result() == http::status::not_found);
  // Only GET.
  HttpRequest post{http::verb::post, "/", 11};
  CHECK(routes.Handle(post).result() == http::status::method_not_allowed);
}
