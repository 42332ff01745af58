#include "ingest/voice_directory_store.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <pqxx/result>
#include <pqxx/transaction>

#include "common/json.hpp"
#include "common/log.hpp"

namespace switchboard::ingest {

namespace {

constexpr char kSelectDirectory[] =
    "SELECT phone_number_id, COALESCE(assistant_id, ''), business_id::text, first_message, "
    "       voice::text, business_name, timezone, language, settings::text, opening_hours::text, "
    "       services::text, monthly_voice_minutes_limit, voice_seconds_this_month "
    "  FROM voice_directory()";

std::vector<Service> ServicesOf(std::string_view text) {
  std::vector<Service> services;
  auto document = json::Parse(text, json::InvalidUtf8::kKeep);
  if (!document.ok() || !document->IsArray()) return services;
  for (const json::Value& item : document->GetArray()) {
    Service service;
    service.name = json::String(item, "name").value_or("");
    service.duration = std::chrono::minutes(json::Int(item, "duration_minutes").value_or(0));
    service.price_cents = json::Int(item, "price_cents").value_or(0);
    service.currency = json::String(item, "currency").value_or("");
    service.description = json::String(item, "description").value_or("");
    services.push_back(std::move(service));
  }
  return services;
}

}  // namespace

std::vector<VoiceIntegration> LoadVoiceIntegrations(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  const pqxx::result rows = tx.exec(kSelectDirectory);
  tx.commit();
  std::vector<VoiceIntegration> integrations;
  integrations.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    VoiceIntegration integration;
    integration.phone_number_id = row[0].as<std::string>();
    integration.assistant_id = row[1].as<std::string>();
    integration.business_id = row[2].as<std::string>();
    integration.first_message = row[3].as<std::string>();
    integration.voice_json = row[4].as<std::string>();
    integration.business_name = row[5].as<std::string>();
    integration.timezone = row[6].as<std::string>();
    integration.language = row[7].as<std::string>();
    if (auto settings = json::Parse(row[8].as<std::string>(), json::InvalidUtf8::kKeep);
        settings.ok()) {
      integration.personality = json::StringOr(*settings, "personality");
      integration.greeting = json::StringOr(*settings, "greeting");
      integration.limit_message = json::StringOr(*settings, "limit_message");
    }
    auto hours = ParseOpeningHours(row[9].as<std::string>());
    if (hours.ok()) {
      integration.hours = std::move(hours).value();
    } else {
      Log(LogLevel::kWarning, "voice integration's business has unreadable opening hours",
          {{"business_id", integration.business_id}, {"error", hours.error().message}});
    }
    integration.services = ServicesOf(row[10].as<std::string>());
    integration.monthly_voice_seconds_limit = row[11].as<std::int64_t>() * 60;
    integration.voice_seconds_this_month = row[12].as<std::int64_t>();
    integrations.push_back(std::move(integration));
  }
  return integrations;
}

struct VoiceDirectoryRefresher::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : loads(prometheus::BuildCounter()
                  .Name("switchboard_voice_directory_loads_total")
                  .Help("Loads of the voice integrations into ingest's memory, by outcome")
                  .Register(registry)),
        ok(loads.Add({{"outcome", "ok"}})),
        failed(loads.Add({{"outcome", "failed"}})),
        entries(prometheus::BuildGauge()
                    .Name("switchboard_voice_directory_entries")
                    .Help("Voice integrations ingest routes Vapi calls by")
                    .Register(registry)
                    .Add({})) {}

  prometheus::Family<prometheus::Counter>& loads;
  prometheus::Counter& ok;
  prometheus::Counter& failed;
  prometheus::Gauge& entries;
};

VoiceDirectoryRefresher::VoiceDirectoryRefresher(std::string database_url,
                                                 std::chrono::milliseconds interval,
                                                 VoiceDirectory& directory,
                                                 prometheus::Registry& registry)
    : database_url_(std::move(database_url)),
      interval_(interval),
      directory_(directory),
      metrics_(std::make_unique<Metrics>(registry)) {
  LoadOnce();
  thread_ = std::thread([this] { Run(); });
}

VoiceDirectoryRefresher::~VoiceDirectoryRefresher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void VoiceDirectoryRefresher::LoadOnce() {
  try {
    if (!connection_ || !connection_->is_open()) {
      connection_ = std::make_unique<pqxx::connection>(database_url_);
    }
    std::vector<VoiceIntegration> integrations = LoadVoiceIntegrations(*connection_);
    const auto count = static_cast<std::int64_t>(integrations.size());
    const bool first = !directory_.Loaded();
    directory_.Replace(std::move(integrations));
    metrics_->ok.Increment();
    metrics_->entries.Set(static_cast<double>(count));
    if (first) Log(LogLevel::kInfo, "voice integrations loaded", {{"integrations", count}});
  } catch (const std::exception& e) {
    // libpq's texts name host, port and user, never the password.
    connection_.reset();
    metrics_->failed.Increment();
    Log(LogLevel::kError, "voice integrations not loaded; keeping the last good load",
        {{"error", e.what()}, {"loaded_before", directory_.Loaded() ? "yes" : "no"}});
  }
}

void VoiceDirectoryRefresher::Run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    LoadOnce();
    lock.lock();
  }
}

}  // namespace switchboard::ingest
