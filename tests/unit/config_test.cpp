// The configuration reader (common/config.hpp) and each binary's reader on top of it: types,
// ranges, defaults, the errors a user sees, and what the "configuration" log line shows.
#include "common/config.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "common/db_pool.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "common/stage_main.hpp"
#include "ingest/ingest_config.hpp"
#include "workers/admin/admin_config.hpp"
#include "workers/agent/agent_config.hpp"
#include "workers/sender/sender_config.hpp"

namespace switchboard {
namespace {

using namespace std::chrono_literals;
using Environment = std::map<std::string, std::string>;

EnvLookup LookupIn(Environment environment) {
  return [environment = std::move(environment)](const std::string& name) {
    const auto found = environment.find(name);
    return found == environment.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

/// The message Check() throws, "" when it does not.
std::string CheckError(const EnvReader& env) {
  try {
    env.Check();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const ConfigVariable& Variable(const EnvReader& env, std::string_view name) {
  for (const ConfigVariable& variable : env.Variables()) {
    if (variable.name == name) return variable;
  }
  FAIL("not registered: " << name);
  throw std::logic_error("unreachable");
}

std::string Shown(const EnvReader& env, std::string_view name) {
  return std::get<std::string>(Variable(env, name).shown);
}

const std::string kKeyRing = "k1:" + Base64Encode(std::string(32, 'k'));

/// What `write` logs on stderr.
template <typename F>
std::string CapturedStderr(F&& write) {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(file), STDERR_FILENO);
  write();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::string text;
  std::rewind(file);
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file)) text.append(buffer, n);
  std::fclose(file);
  return text;
}

TEST_CASE("config: unset and empty variables take their defaults, set ones are parsed") {
  EnvReader env(LookupIn({{"A_TEXT", "x"},
                          {"EMPTY_TEXT", ""},
                          {"A_NUMBER", "-7"},
                          {"A_DURATION_MS", "250"},
                          {"A_RATIO", "0.35"},
                          {"A_CHOICE", "debug"}}));
  CHECK(env.String("A_TEXT", "default") == "x");
  CHECK(env.String("EMPTY_TEXT", "default") == "default");
  CHECK(env.String("UNSET_TEXT", "default") == "default");
  CHECK(env.Integer("A_NUMBER", 3, -10, 10) == -7);
  CHECK(env.Integer("UNSET_NUMBER", 3, -10, 10) == 3);
  CHECK(env.Millis("A_DURATION_MS", 1000ms, 0ms, 5000ms) == 250ms);
  CHECK(env.Number("A_RATIO", 0.2, 0, 1) == doctest::Approx(0.35));
  CHECK(env.OneOf("A_CHOICE", "info", {"debug", "info"}) == "debug");
  CHECK(env.Optional("UNSET_URL") == std::nullopt);
  CHECK(env.Required("A_TEXT") == "x");
  CHECK(env.Errors().empty());
  CHECK_NOTHROW(env.Check());
}

TEST_CASE("config: a bad value names the variable, the allowed values and what was given") {
  EnvReader env(LookupIn({{"INGEST_PORT", "70000"},
                          {"POOL", "eight"},
                          {"TIMEOUT_MS", "-5"},
                          {"PARTIAL", "12abc"},
                          {"RANK", "nan"},
                          {"LEVEL", "verbose"}}));
  // The default stands in, so that one start-up reports every problem.
  CHECK(env.Integer("INGEST_PORT", 8080, 0, 65535) == 8080);
  CHECK(env.Integer("POOL", 8, 1, 1000) == 8);
  CHECK(env.Millis("TIMEOUT_MS", 1000ms, 1ms, 60000ms) == 1000ms);
  CHECK(env.Integer("PARTIAL", 1, 0, 100) == 1);
  CHECK(env.Number("RANK", 0.2, 0, 100) == doctest::Approx(0.2));
  CHECK(env.OneOf("LEVEL", "info", {"debug", "info"}) == "info");
  CHECK(env.Required("MISSING") == "");

  REQUIRE(env.Errors().size() == 7);
  CHECK(env.Errors()[0] == "INGEST_PORT must be a whole number from 0 to 65535, got '70000'");
  CHECK(env.Errors()[1] == "POOL must be a whole number from 1 to 1000, got 'eight'");
  CHECK(env.Errors()[2] == "TIMEOUT_MS must be a whole number from 1 to 60000, got '-5'");
  CHECK(env.Errors()[3] == "PARTIAL must be a whole number from 0 to 100, got '12abc'");
  CHECK(env.Errors()[4] == "RANK must be a number from 0 to 100, got 'nan'");
  CHECK(env.Errors()[5] == "LEVEL must be one of debug, info, got 'verbose'");
  CHECK(env.Errors()[6] == "missing required environment variable MISSING");
  const std::string message = CheckError(env);
  CHECK(message.find("INGEST_PORT") != std::string::npos);
  CHECK(message.find("missing required environment variable MISSING") != std::string::npos);
  CHECK_THROWS_AS(env.Check(), ConfigError);
}

TEST_CASE("config: the bounds themselves are allowed") {
  EnvReader env(LookupIn({{"LOW", "0"}, {"HIGH", "65535"}, {"EDGE", "1"}}));
  CHECK(env.Integer("LOW", 5, 0, 65535) == 0);
  CHECK(env.Integer("HIGH", 5, 0, 65535) == 65535);
  CHECK(env.Number("EDGE", 0.5, 0, 1) == 1);
  CHECK(env.Errors().empty());
}

TEST_CASE("config: a secret's bad value never appears in an error") {
  EnvReader env(LookupIn({{"TOKEN_ENCRYPTION_KEYS", "k1:not-base64-secret-material"},
                          {"DATABASE_URL", "postgresql://app:hunter2@db/switchboard"},
                          {"DATABASE_POOL_SIZE", "0"},
                          {"GRAPH_BASE_URL", "https://user:graph-pass@graph.example"}}));
  const sender::SenderConfig config = sender::ReadSenderConfig(env);
  const std::string message = CheckError(env);
  CHECK(message.find("TOKEN_ENCRYPTION_KEYS") != std::string::npos);
  CHECK(message.find("DATABASE_POOL_SIZE must be a whole number from 1 to 1000, got '0'") !=
        std::string::npos);
  CHECK(message.find("GRAPH_BASE_URL") != std::string::npos);
  CHECK(message.find("not-base64-secret-material") == std::string::npos);
  CHECK(message.find("graph-pass") == std::string::npos);
  CHECK(message.find("hunter2") == std::string::npos);
}

TEST_CASE("config: secrets are masked, URLs keep everything but their passwords") {
  CHECK(MaskSecret("s3cret", Secrecy::kSecret) == "***");
  CHECK(MaskSecret("", Secrecy::kSecret) == "");
  CHECK(MaskSecret("plain", Secrecy::kPublic) == "plain");
  CHECK(MaskSecret("postgresql://app:hunter2@127.0.0.1:5433/switchboard",
                   Secrecy::kPasswordInUrl) == "postgresql://app:***@127.0.0.1:5433/switchboard");
  CHECK(MaskSecret("postgresql://app@127.0.0.1/switchboard", Secrecy::kPasswordInUrl) ==
        "postgresql://app@127.0.0.1/switchboard");
  CHECK(MaskSecret("postgresql://127.0.0.1/db?user=app&password=hunter2&sslmode=disable",
                   Secrecy::kPasswordInUrl) ==
        "postgresql://127.0.0.1/db?user=app&password=***&sslmode=disable");
  CHECK(MaskSecret("postgresql://h/db?sslpassword=x#frag", Secrecy::kPasswordInUrl) ==
        "postgresql://h/db?sslpassword=***#frag");
  // A password with an unescaped '/' hides where the authority ends: nothing is shown.
  CHECK(MaskSecret("postgresql://app:pa/ss@h/db", Secrecy::kPasswordInUrl) == "***");
  // Keyword/value connection strings: all or nothing.
  CHECK(MaskSecret("host=h dbname=db password=hunter2", Secrecy::kPasswordInUrl) == "***");
  CHECK(MaskSecret("host=h dbname=db", Secrecy::kPasswordInUrl) == "host=h dbname=db");
}

TEST_CASE("config: the registry holds each variable once with its documented default") {
  EnvReader env(LookupIn({{"SET", "7"}, {"KEY", "abc"}}));
  env.Integer("SET", 3, 0, 10);
  env.Integer("SET", 3, 0, 10);
  env.Integer("COMPUTED", {4, "number of cores"}, 1, 64);
  env.Millis("WAIT_MS", 1500ms, 0ms, 10000ms);
  env.Number("RATIO", 0.2, 0, 1);
  env.String("EMPTY", "");
  env.String("NAMED", "v21.0");
  env.Required("NEEDED");
  env.Optional("SWITCH");
  env.String("KEY", "", Secrecy::kSecret);
  REQUIRE(env.Variables().size() == 9);
  CHECK(Variable(env, "SET").documented_default == "3");
  CHECK(std::get<std::int64_t>(Variable(env, "SET").shown) == 7);
  CHECK(Variable(env, "COMPUTED").documented_default == "number of cores");
  CHECK(std::get<std::int64_t>(Variable(env, "COMPUTED").shown) == 4);
  CHECK(Variable(env, "WAIT_MS").documented_default == "1500");
  CHECK(Variable(env, "RATIO").documented_default == "0.2");
  CHECK(Variable(env, "EMPTY").documented_default == "empty");
  CHECK(Variable(env, "NAMED").documented_default == "v21.0");
  CHECK(Variable(env, "NEEDED").documented_default == "required");
  CHECK(Variable(env, "SWITCH").documented_default == "unset");
  CHECK(Variable(env, "KEY").secrecy == Secrecy::kSecret);
  CHECK(Shown(env, "KEY") == "***");
}

TEST_CASE("config: the configuration log line shows every value in use, secrets masked") {
  EnvReader env(LookupIn({{"KAFKA_BROKERS", "127.0.0.1:9092"},
                          {"META_APP_SECRET", "app-secret-1,app-secret-2"},
                          {"META_VERIFY_TOKEN", "verify-me"},
                          {"INGEST_PORT", "9000"},
                          {"DATABASE_URL", "postgresql://app:db-password@127.0.0.1/sb"},
                          {"VAPI_SECRET", "vapi-secret-1,vapi-secret-2"},
                          {"VAPI_HMAC_SECRET", "vapi-hmac"},
                          {"INGEST_PUBLIC_URL", "https://sb.example/"}}));
  const ingest::IngestConfig config = ingest::ReadIngestConfig(env);
  REQUIRE(CheckError(env) == "");
  ConfigureLog("config-test", "info");
  const std::string line = CapturedStderr([&env] { LogConfiguration(env.Variables()); });
  ConfigureLog("switchboard", "info");
  CHECK(line.find("app-secret") == std::string::npos);
  CHECK(line.find("verify-me") == std::string::npos);
  CHECK(line.find("vapi-secret") == std::string::npos);
  CHECK(line.find("vapi-hmac") == std::string::npos);
  CHECK(line.find("db-password") == std::string::npos);
  rapidjson::Document document;
  document.Parse(line.c_str());
  REQUIRE(document.IsObject());
  CHECK(std::string(document["msg"].GetString()) == "configuration");
  CHECK(std::string(document["META_APP_SECRET"].GetString()) == "***");
  CHECK(std::string(document["META_VERIFY_TOKEN"].GetString()) == "***");
  CHECK(std::string(document["KAFKA_BROKERS"].GetString()) == "127.0.0.1:9092");
  CHECK(document["INGEST_PORT"].GetInt64() == 9000);
  CHECK(document["INGEST_ACK_TIMEOUT_MS"].GetInt64() == 3000);
  CHECK(std::string(document["INGEST_HOST"].GetString()) == "127.0.0.1");
  CHECK(config.port == 9000);
  CHECK(config.settings.meta_app_secrets ==
        std::vector<std::string>{"app-secret-1", "app-secret-2"});
  CHECK(config.vapi.auth.secrets == std::vector<std::string>{"vapi-secret-1", "vapi-secret-2"});
  CHECK(config.vapi.auth.hmac_secrets == std::vector<std::string>{"vapi-hmac"});
  CHECK(config.vapi.tool_deadline == std::chrono::milliseconds(4000));
  CHECK(config.vapi.assistant.tool_server_url == "https://sb.example/webhooks/vapi");
  CHECK(config.vapi.instance_id.size() == 32);
}

TEST_CASE("config: ingest refuses a port out of range and a host that is not an address") {
  EnvReader env(LookupIn({{"KAFKA_BROKERS", "b:9092"},
                          {"META_APP_SECRET", "s"},
                          {"META_VERIFY_TOKEN", "t"},
                          {"INGEST_PORT", "70000"},
                          {"INGEST_HOST", "localhost"},
                          {"INGEST_THREADS", "0"}}));
  ingest::ReadIngestConfig(env);
  const std::string message = CheckError(env);
  CHECK(message.find("INGEST_PORT must be a whole number from 0 to 65535, got '70000'") !=
        std::string::npos);
  CHECK(message.find("INGEST_HOST must be an IP address, got 'localhost'") != std::string::npos);
  CHECK(message.find("INGEST_THREADS must be a whole number from 1 to 256, got '0'") !=
        std::string::npos);
}

TEST_CASE("config: the stage part reads every variable with its range and cross-checks") {
  SUBCASE("defaults") {
    EnvReader env(LookupIn({{"KAFKA_BROKERS", "b:9092"}}));
    const StageOptions options = ReadStageOptions(env, "resolver", {"messages.inbound"});
    CHECK(CheckError(env) == "");
    CHECK(options.runtime.group_id == "switchboard-resolver");
    CHECK(options.runtime.max_in_flight == 64);
    CHECK(options.runtime.retry.base == 200ms);
    CHECK(options.runtime.retry.max == 30000ms);
    CHECK(options.http_port == 0);
    CHECK(options.log_level == "info");
  }
  SUBCASE("errors") {
    EnvReader env(LookupIn({{"MAX_IN_FLIGHT", "0"},
                            {"RETRY_BASE_MS", "500"},
                            {"RETRY_MAX_MS", "100"},
                            {"STAGE_HTTP_PORT", "65536"},
                            {"STAGE_HTTP_HOST", "not an address"},
                            {"LOG_LEVEL", "loud"}}));
    ReadStageOptions(env, "agent", {});
    const std::string message = CheckError(env);
    CHECK(message.find("missing required environment variable KAFKA_BROKERS") != std::string::npos);
    CHECK(message.find("MAX_IN_FLIGHT must be a whole number from 1 to 1024, got '0'") !=
          std::string::npos);
    CHECK(message.find("RETRY_MAX_MS must not be below RETRY_BASE_MS") != std::string::npos);
    CHECK(message.find("STAGE_HTTP_PORT must be a whole number from 0 to 65535") !=
          std::string::npos);
    CHECK(message.find("STAGE_HTTP_HOST must be an IP address") != std::string::npos);
    CHECK(message.find("LOG_LEVEL must be one of debug, info, warning, error, got 'loud'") !=
          std::string::npos);
  }
}

TEST_CASE("config: the agent reads the LLM and its tuning, with or without LLM_BASE_URL") {
  SUBCASE("retrieval-only still checks the LLM variables") {
    EnvReader env(LookupIn({{"DATABASE_URL", "postgresql://a@h/db"},
                            {"LLM_TIMEOUT_MS", "soon"},
                            {"RETRIEVAL_MIN_COVERAGE", "-0.1"},
                            {"AGENT_KNOWLEDGE_PASSAGES", "0"},
                            {"RETRIEVAL_EXCERPT_BYTES", "39"}}));
    const agent::AgentConfig config = agent::ReadAgentConfig(env);
    CHECK(!config.llm);
    const std::string message = CheckError(env);
    CHECK(message.find("LLM_TIMEOUT_MS must be a whole number from 1 to 600000, got 'soon'") !=
          std::string::npos);
    CHECK(message.find("RETRIEVAL_MIN_COVERAGE must be a number from 0 to 1, got '-0.1'") !=
          std::string::npos);
    CHECK(message.find("AGENT_KNOWLEDGE_PASSAGES must be a whole number from 1 to 100") !=
          std::string::npos);
    CHECK(message.find("RETRIEVAL_EXCERPT_BYTES must be a whole number from 40 to 65536") !=
          std::string::npos);
  }
  SUBCASE("with an LLM") {
    EnvReader env(LookupIn({{"DATABASE_URL", "postgresql://a@h/db"},
                            {"DATABASE_POOL_SIZE", "3"},
                            {"LLM_BASE_URL", "http://127.0.0.1:8000/v1"},
                            {"LLM_API_KEY", "sk-very-secret"},
                            {"RETRIEVAL_MIN_COVERAGE", "0.5"}}));
    const agent::AgentConfig config = agent::ReadAgentConfig(env);
    REQUIRE(CheckError(env) == "");
    REQUIRE(config.llm);
    CHECK(config.llm->api_key == "sk-very-secret");
    CHECK(config.llm->model == "gpt-4o-mini");
    CHECK(config.llm->timeout == 30000ms);
    CHECK(config.database.pool_size == 3);
    CHECK(config.settings.retrieval_rule.min_coverage == doctest::Approx(0.5));
    CHECK(!config.embeddings);
    CHECK(config.settings.max_tool_steps == 5);
    CHECK(Shown(env, "LLM_API_KEY") == "***");
  }
  SUBCASE("a base URL that is not http(s)") {
    EnvReader env(LookupIn({{"DATABASE_URL", "postgresql://a@h/db"},
                            {"LLM_BASE_URL", "ftp://example.com"},
                            {"LLM_RETRY_BASE_MS", "900"},
                            {"LLM_RETRY_MAX_MS", "800"}}));
    agent::ReadAgentConfig(env);
    const std::string message = CheckError(env);
    CHECK(message.find("LLM_BASE_URL must be an http(s) URL") != std::string::npos);
    CHECK(message.find("LLM_RETRY_MAX_MS must not be below LLM_RETRY_BASE_MS") !=
          std::string::npos);
  }
}

TEST_CASE("config: the sender and admin check the key ring and mask it") {
  EnvReader sender_env(LookupIn({{"DATABASE_URL", "postgresql://app:pw@h/db"},
                                 {"TOKEN_ENCRYPTION_KEYS", kKeyRing},
                                 {"GRAPH_BASE_URL", "http://127.0.0.1:8090//"}}));
  const sender::SenderConfig sender = sender::ReadSenderConfig(sender_env);
  REQUIRE(CheckError(sender_env) == "");
  CHECK(sender.graph.base_url == "http://127.0.0.1:8090");
  CHECK(sender.rate_per_second == 20);
  CHECK(Shown(sender_env, "TOKEN_ENCRYPTION_KEYS") == "***");
  CHECK(Shown(sender_env, "DATABASE_URL") == "postgresql://app:***@h/db");

  EnvReader migrate_env(LookupIn({}));
  admin::ReadAdminConfig(migrate_env, {.database = true});
  CHECK(CheckError(migrate_env) == "missing required environment variable DATABASE_URL");

  EnvReader seed_env(LookupIn({{"DATABASE_URL", "postgresql://owner:pw@h/db"},
                               {"TOKEN_ENCRYPTION_KEYS", kKeyRing},
                               {"DEMO_WHATSAPP_TOKEN", "real-token"}}));
  const admin::AdminConfig seed =
      admin::ReadAdminConfig(seed_env, {.database = true, .demo_seed = true});
  REQUIRE(CheckError(seed_env) == "");
  CHECK(seed.demo.whatsapp_access_token == "real-token");
  CHECK(seed.demo.whatsapp_phone_number_id == "100000000000001");
  CHECK(Shown(seed_env, "DEMO_WHATSAPP_TOKEN") == "***");
}

}  // namespace
}  // namespace switchboard
