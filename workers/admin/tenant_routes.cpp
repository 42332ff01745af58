#include "workers/admin/tenant_routes.hpp"

#include <openssl/rand.h>

#include <array>
#include <ctime>
#include <stdexcept>

#include "common/business_facts.hpp"
#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/log.hpp"
#include "common/text_shapes.hpp"
#include "common/time_zone.hpp"
#include "workers/admin/api_json.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kKeyPrefix = "sbk_";
constexpr std::size_t kSecretBytes = 32;

HttpResponse TenantResponse(const ApiRequest& request, http::status status, const Tenant& tenant,
                            const std::optional<std::string>& api_key = std::nullopt) {
  json::Writer writer;
  writer.StartObject();
  WriteTenant(writer, tenant);
  writer.Field("api_key", api_key);
  writer.EndObject();
  return JsonResponse(request.http, status, writer.Take());
}

HttpResponse KeyResponse(const ApiRequest& request, const std::string& id, const std::string& key) {
  json::Writer writer;
  writer.StartObject().Field("id", id).Field("api_key", key).EndObject();
  return JsonResponse(request.http, http::status::created, writer.Take());
}

}  // namespace

std::string NewApiKey(std::string_view business_id) {
  std::array<unsigned char, kSecretBytes> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    throw std::runtime_error("OpenSSL's random generator failed");
  }
  return std::string(kKeyPrefix) + std::string(business_id) + "_" + HexEncode(secret);
}

std::optional<std::string> ApiKeyTenant(std::string_view key) {
  constexpr std::size_t kUuid = 36;
  if (key.size() != kKeyPrefix.size() + kUuid + 1 + 2 * kSecretBytes) return std::nullopt;
  if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return std::nullopt;
  const std::string_view id = key.substr(kKeyPrefix.size(), kUuid);
  if (!LooksLikeUuid(id) || key[kKeyPrefix.size() + kUuid] != '_') return std::nullopt;
  return std::string(id);
}

TenantDirectory MakeTenantDirectory(TenantStore store) {
  TenantDirectory directory;
  directory.key_tenant = [store](std::string_view key) -> std::optional<std::string> {
    auto tenant = ApiKeyTenant(key);
    if (!tenant) return std::nullopt;
    const auto stored = store.ApiKeyHash(*tenant);
    if (!stored || !ConstantTimeEqual(*stored, Sha256(key))) return std::nullopt;
    return tenant;
  };
  directory.exists = [store](std::string_view id) {
    return LooksLikeUuid(id) && store.Exists(std::string(id));
  };
  return directory;
}

TenantFields ParseTenantFields(const json::Value& body, bool creating) {
  RejectUnknownFields(body, {"name", "timezone", "language", "opening_hours", "settings"});
  TenantFields fields;
  fields.name = creating ? RequiredText(body, "name", 200) : OptionalText(body, "name", 200);
  fields.timezone =
      creating ? RequiredText(body, "timezone", 100) : OptionalText(body, "timezone", 100);
  if (fields.timezone && !TimeZone::Load(*fields.timezone).ok()) {
    throw ApiError::BadRequest("timezone must be an IANA time zone such as Europe/Berlin");
  }
  fields.language =
      creating ? RequiredText(body, "language", 2) : OptionalText(body, "language", 2);
  if (fields.language && (fields.language->size() != 2 || !std::islower((*fields.language)[0]) ||
                          !std::islower((*fields.language)[1]))) {
    throw ApiError::BadRequest("language must be an ISO 639-1 code such as en or de");
  }
  fields.opening_hours = OptionalObject(body, "opening_hours");
  if (fields.opening_hours) {
    const auto hours = ParseOpeningHours(*fields.opening_hours);
    if (!hours.ok()) throw ApiError::BadRequest("opening_hours: " + hours.error().message);
  }
  fields.settings = OptionalObject(body, "settings");
  if (!creating && !fields.name && !fields.timezone && !fields.language && !fields.opening_hours &&
      !fields.settings) {
    throw ApiError::BadRequest(
        "nothing to change: give name, timezone, language, opening_hours or settings");
  }
  return fields;
}

std::string SlugBase(std::string_view name) {
  std::string slug;
  for (const unsigned char c : name) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? "tenant" : slug;
}

void WriteTenant(json::Writer& writer, const Tenant& tenant) {
  writer.Field("id", tenant.id)
      .Field("name", tenant.name)
      .Field("slug", tenant.slug)
      .Field("timezone", tenant.timezone)
      .Field("language", tenant.language)
      .Key("opening_hours")
      .JsonOrString(tenant.opening_hours)
      .Key("settings")
      .JsonOrString(tenant.settings)
      .Field("plan", tenant.plan)
      .Field("monthly_message_limit", tenant.monthly_message_limit)
      .Field("monthly_voice_minutes_limit", tenant.monthly_voice_minutes_limit)
      .Field("active", tenant.active)
      .Field("created_at", tenant.created_at);
}

bool IsMonth(std::string_view month) {
  if (month.size() != 7 || month[4] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6}) {
    if (month[i] < '0' || month[i] > '9') return false;
  }
  const int number = (month[5] - '0') * 10 + (month[6] - '0');
  return number >= 1 && number <= 12;
}

void RegisterTenantRoutes(AdminRoutes& routes, TenantStore store) {
  routes.Add(http::verb::get, "/v1/tenants", Access::kPlatform, [store](const ApiRequest& request) {
    json::Writer writer;
    writer.StartObject().Key("items").StartArray();
    for (const TenantSummary& tenant : store.List(QueryLimit(request, 200, 1000))) {
      writer.StartObject()
          .Field("id", tenant.id)
          .Field("name", tenant.name)
          .Field("slug", tenant.slug)
          .Field("language", tenant.language)
          .Field("timezone", tenant.timezone)
          .Field("active", tenant.active)
          .Field("created_at", tenant.created_at)
          .Field("messages_this_month", tenant.messages_this_month)
          .Field("monthly_message_limit", tenant.monthly_message_limit)
          .EndObject();
    }
    writer.EndArray().EndObject();
    return JsonResponse(request.http, http::status::ok, writer.Take());
  });
  routes.Add(
      http::verb::post, "/v1/tenants", Access::kPlatform, [store](const ApiRequest& request) {
        const json::Document body = ParseJsonBody(request);
        const TenantFields fields = ParseTenantFields(body, true);
        const auto created = store.Create(fields, SlugBase(*fields.name), NewApiKey);
        Log(LogLevel::kInfo, "tenant created", {{"business_id", created.tenant.id}});
        return TenantResponse(request, http::status::created, created.tenant, created.api_key);
      });
  routes.Add(http::verb::get, "/v1/tenants/{id}", Access::kTenant,
             [store](const ApiRequest& request) {
               const auto tenant = store.Find(PathUuid(request, "id", "tenant"));
               if (!tenant) throw ApiError::NotFound("tenant not found");
               return TenantResponse(request, http::status::ok, *tenant);
             });
  routes.Add(http::verb::patch, "/v1/tenants/{id}", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string id = PathUuid(request, "id", "tenant");
               const json::Document body = ParseJsonBody(request);
               const auto tenant = store.Update(id, ParseTenantFields(body, false));
               if (!tenant) throw ApiError::NotFound("tenant not found");
               return TenantResponse(request, http::status::ok, *tenant);
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/deactivate", Access::kPlatform,
             [store](const ApiRequest& request) {
               const auto tenant = store.Deactivate(PathUuid(request, "id", "tenant"));
               if (!tenant) throw ApiError::NotFound("tenant not found");
               Log(LogLevel::kInfo, "tenant deactivated", {{"business_id", tenant->id}});
               return TenantResponse(request, http::status::ok, *tenant);
             });
  routes.Add(http::verb::get, "/v1/tenants/{id}/usage", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string id = PathUuid(request, "id", "tenant");
               std::string month = request.Query("month").value_or("");
               if (month.empty()) {
                 const std::time_t now = std::time(nullptr);
                 std::tm utc{};
                 gmtime_r(&now, &utc);
                 std::array<char, 8> text{};
                 std::strftime(text.data(), text.size(), "%Y-%m", &utc);
                 month = text.data();
               }
               if (!IsMonth(month)) throw ApiError::BadRequest("month must be YYYY-MM");
               const auto usage = store.Usage(id, month);
               if (!usage) throw ApiError::NotFound("tenant not found");
               json::Writer writer;
               writer.StartObject()
                   .Field("month", usage->month)
                   .Field("messages", usage->messages)
                   .Field("llm_tokens", usage->llm_tokens)
                   .Field("voice_seconds", usage->voice_seconds)
                   .Key("limits")
                   .StartObject()
                   .Field("monthly_messages", usage->monthly_message_limit)
                   .Field("monthly_voice_minutes", usage->monthly_voice_minutes_limit)
                   .EndObject()
                   .EndObject();
               return JsonResponse(request.http, http::status::ok, writer.Take());
             });
  routes.Add(http::verb::post, "/v1/tenants/{id}/api-key", Access::kTenant,
             [store](const ApiRequest& request) {
               const std::string id = PathUuid(request, "id", "tenant");
               const std::string key = NewApiKey(id);
               if (!store.SetApiKeyHash(id, Sha256(key))) {
                 throw ApiError::NotFound("no active tenant with this id");
               }
               Log(LogLevel::kInfo, "tenant API key rotated", {{"business_id", id}});
               return KeyResponse(request, id, key);
             });
}

}  // namespace switchboard::admin
