// Unit tests of the admin API's handler parts that need no database: the body and query readers,
// the tenant, service and integration fields, tenant API keys, knowledge documents cleaned to
// text, and the Meta connect flow's refusals.
#include <doctest/doctest.h>

#include "common/knowledge_chunks.hpp"
#include "workers/admin/api_json.hpp"
#include "workers/admin/conversation_routes.hpp"
#include "workers/admin/integration_routes.hpp"
#include "workers/admin/knowledge_text.hpp"
#include "workers/admin/meta_connect.hpp"
#include "workers/admin/service_routes.hpp"
#include "workers/admin/tenant_routes.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::admin;

json::Document Body(std::string_view text) {
  auto document = json::Parse(text);
  REQUIRE(document.ok());
  return std::move(document).value();
}

/// The message of the ApiError `call` throws, with its status checked.
template <typename Call>
std::string Refusal(Call call,
                    boost::beast::http::status status = boost::beast::http::status::bad_request) {
  try {
    call();
  } catch (const ApiError& e) {
    CHECK(e.Status() == status);
    return e.what();
  }
  FAIL("no ApiError");
  return "";
}

}  // namespace

TEST_CASE("tenant fields: a create needs name, timezone and language, each checked") {
  const auto fields =
      ParseTenantFields(Body(R"({"name":"Zahnarzt Berg","timezone":"Europe/Berlin","language":"de",
               "opening_hours":{"monday":[{"open":"09:00","close":"17:00"}]},
               "settings":{"greeting":"Hallo!"}})"),
                        true);
  CHECK(fields.name == "Zahnarzt Berg");
  CHECK(fields.timezone == "Europe/Berlin");
  CHECK(fields.language == "de");
  CHECK(fields.opening_hours == R"({"monday":[{"open":"09:00","close":"17:00"}]})");
  CHECK(fields.settings == R"({"greeting":"Hallo!"})");

  CHECK(Refusal([] { ParseTenantFields(Body(R"({"timezone":"UTC","language":"en"})"), true); }) ==
        "name is required");
  CHECK(Refusal([] {
          ParseTenantFields(Body(R"({"name":"A","timezone":"Mars/Base","language":"en"})"), true);
        }).starts_with("timezone"));
  CHECK(Refusal([] {
          ParseTenantFields(Body(R"({"name":"A","timezone":"UTC","language":"german"})"), true);
        }).starts_with("language"));
  CHECK(Refusal([] {
          ParseTenantFields(Body(R"({"name":"A","timezone":"UTC","language":"en",
                                    "opening_hours":{"monday":[{"open":"9","close":"17:00"}]}})"),
                            true);
        }).starts_with("opening_hours"));
  CHECK(Refusal([] {
          ParseTenantFields(Body(R"({"name":"A","timezone":"UTC","language":"en","plan":"x"})"),
                            true);
        }).starts_with(R"(unknown field "plan")"));
  CHECK(Refusal([] { ParseTenantFields(Body(R"({"name":"  "})"), false); }) ==
        "name must not be empty");
  CHECK(Refusal([] { ParseTenantFields(Body("{}"), false); }).starts_with("nothing to change"));
  CHECK(ParseTenantFields(Body(R"({"language":"fr"})"), false).language == "fr");
}

TEST_CASE("service fields: name and duration required on create, price, currency checked") {
  const auto fields = ParseServiceFields(
      Body(R"({"name":"Cleaning","duration_minutes":45,"price_cents":9000,"currency":"EUR"})"),
      true);
  CHECK(fields.name == "Cleaning");
  CHECK(fields.duration_minutes == 45);
  CHECK(fields.price_cents == 9000);
  CHECK(fields.currency == "EUR");
  CHECK(Refusal([] { ParseServiceFields(Body(R"({"name":"A"})"), true); }) ==
        "duration_minutes is required");
  CHECK(Refusal([] {
          ParseServiceFields(Body(R"({"name":"A","duration_minutes":0})"), true);
        }).starts_with("duration_minutes must be a whole number"));
  CHECK(Refusal([] {
          ParseServiceFields(Body(R"({"currency":"eur"})"), false);
        }).starts_with("currency"));
  CHECK(Refusal([] {
          ParseServiceFields(Body(R"({"price_cents":-1})"), false);
        }).starts_with("price_cents"));
  CHECK(ParseServiceFields(Body(R"({"active":false})"), false).active == false);
}

TEST_CASE("tenant API keys name their tenant and are random") {
  const std::string tenant = "0b6d7c1e-1111-4f3a-9d2e-000000000001";
  const std::string key = NewApiKey(tenant);
  CHECK(key.starts_with("sbk_" + tenant + "_"));
  CHECK(key.size() == 4 + 36 + 1 + 64);
  CHECK(NewApiKey(tenant) != key);
  CHECK(ApiKeyTenant(key) == tenant);
  CHECK_FALSE(ApiKeyTenant(key.substr(0, key.size() - 1)).has_value());
  CHECK_FALSE(ApiKeyTenant("sbk_not-a-uuid-at-all-not-a-uuid-at-al_" + std::string(64, 'a')));
  CHECK_FALSE(ApiKeyTenant("platform-admin-token").has_value());
}

TEST_CASE("slugs are the name's letters and digits") {
  CHECK(SlugBase("Bright Smile Dental") == "bright-smile-dental");
  CHECK(SlugBase("  Zahnärzte Berg & Co.  ") == "zahn-rzte-berg-co");
  CHECK(SlugBase("!!!") == "tenant");
}

TEST_CASE("knowledge text: formats") {
  CHECK(ParseDocumentFormat("markdown") == DocumentFormat::kMarkdown);
  CHECK_FALSE(ParseDocumentFormat("pdf").has_value());
  CHECK(KnowledgeText("line one\r\nline two\r\n\r\n\r\n\r\nnext", DocumentFormat::kText) ==
        "line one\nline two\n\nnext");
}

TEST_CASE("knowledge text: markdown keeps headings, lists and words, drops markup") {
  const std::string text = KnowledgeText(
      "Parking\n=======\n\nWe have **free** parking in the _back yard_ of `Main St 5`.\n"
      "See [our map](https://example.com/map) or ![the entrance](e.png).\n\n"
      "## Prices ##\n* Cleaning: 90 EUR\n+ Check-up: 60 EUR\n\n"
      "> Insurance pays snake_case_words\n\n---\n\n```\n# not a heading\n```\n"
      "[map]: https://example.com/map\n<b>Bold</b> <https://example.com>\n",
      DocumentFormat::kMarkdown);
  CHECK(text ==
        "# Parking\n\n"
        "We have free parking in the back yard of Main St 5.\n"
        "See our map or the entrance.\n\n"
        "## Prices\n\n"
        "- Cleaning: 90 EUR\n- Check-up: 60 EUR\n\n"
        "Insurance pays snake_case_words\n\n"
        "# not a heading\n\n"
        "Bold https://example.com");
}

TEST_CASE("knowledge text: html becomes headed text") {
  const std::string text = KnowledgeText(
      "<html><head><title>x</title><style>p{color:red}</style></head><body>"
      "<h1>Opening  hours</h1><p>Mon&ndash;Fri 9&nbsp;to 5.<br>Sat &amp; Sun closed.</p>"
      "<script>alert('x')</script><!-- note --><h2>Pr&auml;ise</h2>"
      "<ul><li>Cleaning &#8364;90</li><li>Check-up &#x20AC;60</li></ul>"
      "<table><tr><td>a</td><td>b</td></tr></table></body></html>",
      DocumentFormat::kHtml);
  CHECK(text ==
        "# Opening hours\n\n"
        "Mon\u2013Fri 9 to 5.\nSat & Sun closed.\n\n"
        "## Pr\u00e4ise\n\n"
        "- Cleaning \u20ac90\n- Check-up \u20ac60\n\n"
        "a b");
  // The chunker reads the headings.
  const auto chunks = ChunkDocument(text);
  REQUIRE(chunks.size() >= 2);
  CHECK(chunks[0].heading == "Opening hours");
}

TEST_CASE("meta connect: query values are percent-encoded") {
  CHECK(QueryEncode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~");
}

TEST_CASE("meta connect: the code's refusal and Graph's failures are typed, without the request") {
  const MetaApp app{
      "app-1", "app-secret-xyz", {"http://graph.test", "v21.0", std::chrono::seconds(1)}};
  std::vector<std::string> urls;
  const auto answering = [&urls](int status, std::string body) -> GraphFetch {
    return [&urls, status,
            body](const HttpClientRequest& request) -> Result<HttpClientResponse, HttpError> {
      urls.push_back(request.url);
      return HttpClientResponse{status, body, {}};
    };
  };
  auto refused = ConnectMeta(
      app, "old-code", "https://app.example/cb",
      answering(400, R"({"error":{"message":"This authorization code has expired.","code":100}})"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code_refused);
  CHECK(refused.error().message.find("This authorization code has expired.") != std::string::npos);
  CHECK(refused.error().message.find("app-secret-xyz") == std::string::npos);
  CHECK(refused.error().message.find("old-code") == std::string::npos);
  REQUIRE(urls.size() == 1);
  CHECK(urls[0] ==
        "http://graph.test/v21.0/oauth/access_token?client_id=app-1&client_secret=app-secret-xyz"
        "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code=old-code");

  auto down = ConnectMeta(app, "c", "https://app.example/cb", answering(503, "busy"));
  REQUIRE_FALSE(down.ok());
  CHECK_FALSE(down.error().code_refused);
  CHECK(down.error().retryable);

  auto nonsense = ConnectMeta(app, "c", "https://app.example/cb", answering(200, R"({"x":1})"));
  REQUIRE_FALSE(nonsense.ok());
  CHECK(nonsense.error().message == "code exchange: no access_token");
}

TEST_CASE("conversation filter: each query parameter checked, the cursor only as given out") {
  const auto filter_of = [](std::string target) {
    HttpRequest http{boost::beast::http::verb::get, target, 11};
    return ParseConversationFilter(ApiRequest{http, {}, {}});
  };
  const auto filter = filter_of(
      "/v1/tenants/t/conversations?status=HANDED_OFF&channel=whatsapp&needs_human=true&limit=10"
      "&since=2026-12-01T00:00:00Z&cursor=1764547200000000_0b6d7c1e-1111-4f3a-9d2e-000000000001");
  CHECK(filter.status == "HANDED_OFF");
  CHECK(filter.channel == "whatsapp");
  CHECK(filter.needs_human == true);
  CHECK(filter.limit == 10);
  CHECK(filter.since == "2026-12-01T00:00:00Z");
  CHECK(filter.after == "1764547200000000_0b6d7c1e-1111-4f3a-9d2e-000000000001");
  CHECK(filter_of("/x").limit == 50);
  CHECK_FALSE(filter_of("/x").status.has_value());
  for (const std::string bad :
       {"status=open", "channel=sms", "needs_human=yes", "limit=0", "limit=201", "limit=5x",
        "cursor=abc", "cursor=12_not-a-uuid", "cursor=_0b6d7c1e-1111-4f3a-9d2e-000000000001"}) {
    CHECK_MESSAGE(Refusal([&] { filter_of("/x?" + bad); }) != "", bad);
  }
}

TEST_CASE("integration requests: type, platform id and token checked") {
  const auto request = ParseIntegrationRequest(
      Body(R"({"type":"whatsapp","platform_id":"100000000000001","access_token":"EAAG"})"));
  CHECK(request.type == "whatsapp");
  CHECK(request.platform_id == "100000000000001");
  CHECK(request.access_token == "EAAG");
  CHECK(ParseIntegrationRequest(Body(R"({"type":"voice","platform_id":"vapi-1"})")).type ==
        "voice");
  CHECK(Refusal([] {
          ParseIntegrationRequest(Body(R"({"type":"sms","platform_id":"1"})"));
        }).starts_with("type"));
  CHECK(Refusal([] {
          ParseIntegrationRequest(Body(R"({"type":"whatsapp","platform_id":"a/b"})"));
        }).starts_with("platform_id"));
  CHECK(Refusal([] {
          ParseIntegrationRequest(
              Body(R"({"type":"voice","platform_id":"v","access_token":"secret"})"));
        }).starts_with("access_token"));
}

TEST_CASE("usage months are YYYY-MM") {
  CHECK(IsMonth("2026-12"));
  CHECK(IsMonth("2026-01"));
  CHECK_FALSE(IsMonth("2026-13"));
  CHECK_FALSE(IsMonth("2026-00"));
  CHECK_FALSE(IsMonth("2026-1"));
  CHECK_FALSE(IsMonth("26-12-01"));
}
