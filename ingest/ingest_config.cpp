#include "ingest/ingest_config.hpp"

#include "ingest/request_ids.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <thread>
#include <vector>

namespace switchboard::ingest {
namespace {

using std::chrono::milliseconds;

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

}  // namespace

IngestConfig ReadIngestConfig(EnvReader& env) {
  IngestConfig config;
  config.log_level =
      env.OneOf("LOG_LEVEL", config.log_level, {"debug", "info", "warning", "error"});
  KafkaClientConfig kafka = ReadKafkaClientConfig(env);
  config.brokers = std::move(kafka.brokers);
  config.kafka_properties = std::move(kafka.properties);
  const std::string secrets = env.Required("META_APP_SECRET", Secrecy::kSecret);
  config.settings.meta_app_secrets = SplitList(secrets);
  if (!secrets.empty() && config.settings.meta_app_secrets.empty()) {
    env.Fail("META_APP_SECRET must hold at least one secret (value not shown)");
  }
  config.settings.meta_verify_token = env.Required("META_VERIFY_TOKEN", Secrecy::kSecret);
  config.host = env.String("INGEST_HOST", config.host);
  boost::system::error_code address_error;
  boost::asio::ip::make_address(config.host, address_error);
  if (address_error) env.Fail("INGEST_HOST must be an IP address, got '" + config.host + "'");
  config.port = static_cast<unsigned short>(env.Integer("INGEST_PORT", config.port, 0, 65535));
  const auto cores = static_cast<std::int64_t>(std::max(2u, std::thread::hardware_concurrency()));
  config.threads = static_cast<int>(
      env.Integer("INGEST_THREADS", {cores, "number of cores (at least 2)"}, 1, 256));
  // Meta gives up on a webhook after about 20 s; a minute covers any sensible setting.
  config.settings.ack_timeout = env.Millis("INGEST_ACK_TIMEOUT_MS", config.settings.ack_timeout,
                                           milliseconds(1), milliseconds(60000));
  // librdkafka's own bounds of linger.ms.
  config.linger =
      env.Millis("INGEST_LINGER_MS", config.linger, milliseconds(0), milliseconds(900000));
  config.body_limit = static_cast<std::size_t>(env.Integer(
      "INGEST_BODY_LIMIT_BYTES", static_cast<std::int64_t>(config.body_limit), 1024, 1 << 30));

  config.database_url = env.Required("DATABASE_URL", Secrecy::kPasswordInUrl);
  config.voice_refresh = env.Millis("VOICE_REFRESH_MS", config.voice_refresh, milliseconds(100),
                                    milliseconds(3600000));
  VapiSettings& vapi = config.vapi;
  vapi.auth.secrets = SplitList(env.String("VAPI_SECRET", {"", "unset"}, Secrecy::kSecret));
  vapi.auth.hmac_secrets =
      SplitList(env.String("VAPI_HMAC_SECRET", {"", "unset"}, Secrecy::kSecret));
  vapi.auth.replay_window = std::chrono::duration_cast<std::chrono::seconds>(env.Millis(
      "VAPI_REPLAY_WINDOW_MS", milliseconds(300000), milliseconds(1000), milliseconds(3600000)));
  // Vapi waits 20 s for a tool answer by default; a voice turn should not wait near that long.
  vapi.tool_deadline = env.Millis("VAPI_TOOL_DEADLINE_MS", vapi.tool_deadline, milliseconds(100),
                                  milliseconds(20000));
  vapi.assistant.model = env.String("VAPI_MODEL", vapi.assistant.model);
  std::string public_url = env.String("INGEST_PUBLIC_URL", {"", "unset"});
  if (!public_url.empty() && !public_url.starts_with("https://") &&
      !public_url.starts_with("http://")) {
    env.Fail("INGEST_PUBLIC_URL must start with https:// or http://, got '" + public_url + "'");
  }
  while (public_url.ends_with('/')) public_url.pop_back();
  if (!public_url.empty()) vapi.assistant.tool_server_url = public_url + "/webhooks/vapi";
  vapi.instance_id = env.String("INGEST_INSTANCE_ID", {NewTraceId(), "random"});
  return config;
}

}  // namespace switchboard::ingest
