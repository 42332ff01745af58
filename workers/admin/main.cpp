// switchboard-admin: one-shot operator commands (schema migrations, and more to come).
//
// Exit codes: 0 done, 1 the command failed (the error is logged), 2 bad usage or configuration.
// To add a command: write `int RunSomething(Arguments&, const admin::AdminConfig&)` and add a row
// to kCommands with what it needs from the environment (workers/admin/admin_config.hpp).
#include <exception>
#include <iostream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "common/embeddings_client.hpp"
#include "common/kafka_topics.hpp"
#include "common/knowledge_embeddings.hpp"
#include "common/log.hpp"
#include "common/migrations.hpp"
#include "common/token_cipher.hpp"
#include "workers/admin/admin_config.hpp"
#include "workers/admin/admin_service.hpp"
#include "workers/admin/arguments.hpp"
#include "workers/admin/demo_seed.hpp"
#include "workers/admin/ops_commands.hpp"

namespace {

using namespace switchboard;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

using admin::Arguments;
using admin::UsageError;

/// migrate --dir DIR: applies the pending migrations of DIR to DATABASE_URL.
int RunMigrate(Arguments& args, const admin::AdminConfig& config) {
  const std::string dir = args.Required("dir");
  args.RejectUnused();
  const auto applied = db::Migrate(config.database_url, dir);
  if (applied.empty()) {
    std::cout << "nothing to apply\n";
  } else {
    for (const auto& name : applied) std::cout << "applied " << name << '\n';
  }
  return kExitOk;
}

int RunCreateTopics(Arguments& args, const admin::AdminConfig& config) {
  const std::string dir = args.Required("schemas");
  args.RejectUnused();
  const auto topics = TopicsFromSchemas(dir);
  const auto created = CreateTopics(config.brokers, topics, config.replication);
  std::cout << created.size() << " of " << topics.size() << " topics created\n";
  for (const auto& name : created) std::cout << "created " << name << '\n';
  return kExitOk;
}

/// seed-demo: creates or refreshes the demo tenant through DATABASE_URL (the owner role).
int RunSeedDemo(Arguments& args, const admin::AdminConfig& config) {
  args.RejectUnused();
  const TokenCipher cipher(config.token_encryption_keys);
  const admin::DemoSeedOptions& options = config.demo;
  pqxx::connection owner(config.database_url);
  const auto summary = admin::SeedDemoTenant(owner, cipher, options);
  std::cout << "demo tenant Bright Smile Dental (business " << admin::kDemoBusinessId
            << "): " << summary.services << " services, " << summary.documents
            << " knowledge documents in " << summary.chunks << " chunks, WhatsApp phone number id "
            << options.whatsapp_phone_number_id << ", Vapi phone number id "
            << options.vapi_phone_number_id << '\n';
  if (config.embeddings) {
    const EmbeddingsClient client(*config.embeddings);
    const auto embedded = EmbedKnowledgeChunks(owner, client, std::string(admin::kDemoBusinessId));
    std::cout << embedded.embedded << " demo chunks embedded with " << client.Model() << '\n';
  }
  return kExitOk;
}

/// embed-knowledge: gives every knowledge chunk without a vector of EMBEDDINGS_MODEL one (new and
/// changed chunks; after a change of model, every chunk), through DATABASE_URL (the owner role).
int RunEmbedKnowledge(Arguments& args, const admin::AdminConfig& config) {
  args.RejectUnused();
  if (!config.embeddings)
    throw ConfigError("EMBEDDINGS_BASE_URL is not set: nothing to embed with");
  const EmbeddingsClient client(*config.embeddings);
  pqxx::connection owner(config.database_url);
  const auto summary = EmbedKnowledgeChunks(owner, client);
  std::cout << summary.embedded << " chunks embedded with " << client.Model();
  if (summary.changed_meanwhile > 0) {
    std::cout << "; " << summary.changed_meanwhile
              << " changed while being embedded (run again to embed their new text)";
  }
  std::cout << '\n';
  return kExitOk;
}

/// serve: the admin HTTP API until SIGTERM (env ADMIN_*, DATABASE_URL = the application role).
int RunServe(Arguments& args, const admin::AdminConfig& config) {
  args.RejectUnused();
  return admin::RunAdminService(config);
}

struct Command {
  std::string_view name;
  std::string_view usage;
  admin::AdminNeeds needs;
  int (*run)(Arguments&, const admin::AdminConfig&);
};

/// Every subcommand: one row each.
constexpr Command kCommands[] = {
    {"migrate",
     "migrate --dir DIR    apply the pending migrations of DIR (env DATABASE_URL)",
     {.database = true},
     RunMigrate},
    {"create-topics",
     "create-topics --schemas DIR    create the topics schemas/ describe, each with its .dlq "
     "(env KAFKA_BROKERS, KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS)",
     {.brokers = true, .topics = true},
     RunCreateTopics},
    {"seed-demo",
     "seed-demo    create or refresh the demo tenant Bright Smile Dental (env DATABASE_URL = the "
     "owner role, TOKEN_ENCRYPTION_KEYS, DEMO_WHATSAPP_PHONE_NUMBER_ID, DEMO_WHATSAPP_TOKEN)",
     {.database = true, .demo_seed = true, .embeddings = true},
     RunSeedDemo},
    {"embed-knowledge",
     "embed-knowledge    embed every knowledge chunk that has no vector of EMBEDDINGS_MODEL (new "
     "or changed chunks; after a change of model, all of them) (env DATABASE_URL = the owner "
     "role, EMBEDDINGS_BASE_URL, EMBEDDINGS_MODEL, EMBEDDINGS_API_KEY)",
     {.database = true, .embeddings = true},
     RunEmbedKnowledge},
    {"serve",
     "serve    run the admin HTTP API until SIGTERM (env ADMIN_TOKEN, ADMIN_HOST, ADMIN_PORT, "
     "DATABASE_URL = the application role, KAFKA_BROKERS, TOKEN_ENCRYPTION_KEYS)",
     {.brokers = true, .serve = true},
     RunServe},
    {"lag",
     "lag [--group G] [--json]    consumer groups (the stages' first): state, members, status "
     "(OK, LAGGING, STALLED, STOPPED) and per partition committed offset, end, lag in records "
     "and in seconds (env KAFKA_BROKERS)",
     {.brokers = true},
     admin::RunLag},
    {"replay",
     "replay --topic T (--from-offset N | --from-time ISO8601) [--to-offset N | --to-time "
     "ISO8601] [--partition P] [--tenant ID] (--to-file F | --to-topic T2) [--json]    copy a "
     "range of T (to-offset exclusive, to-time: records stamped before it; without an end, up to "
     "the ends at start) to JSON lines or re-publish it to T2 with a replayed-from header; reads "
     "by assignment, never joining or moving a group; progress on a terminal, Ctrl-C stops "
     "cleanly (env KAFKA_BROKERS)",
     {.brokers = true},
     admin::RunReplay},
    {"dlq",
     "dlq list [--stage S] [--json] | dlq show ID [--json] | dlq redrive (ID... | --all) --stage "
     "S [--json] | dlq purge (ID... | --all) --stage S [--json]    the pending dead letters of "
     "every <topic>.dlq (stage, source topic, partition, offset, event id, error, attempts, "
     "time); redrive puts the original record back on its topic (a record that fails again comes "
     "back with attempts + 1), purge drops it; either way it is no longer pending (env "
     "KAFKA_BROKERS, DATABASE_URL)",
     {.database = true, .brokers = true},
     admin::RunDlq},
};

void PrintUsage() {
  std::cerr << "usage: switchboard-admin COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& command : kCommands) std::cerr << "  " << command.usage << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureLog("switchboard-admin", "info");
  if (argc < 2) {
    PrintUsage();
    return kExitUsage;
  }
  const std::string_view name = argv[1];
  const Command* command = nullptr;
  for (const auto& candidate : kCommands) {
    if (candidate.name == name) command = &candidate;
  }
  if (command == nullptr) {
    std::cerr << "switchboard-admin: unknown command '" << name << "'\n";
    PrintUsage();
    return kExitUsage;
  }
  Arguments args(std::span<char* const>(argv + 2, static_cast<std::size_t>(argc - 2)));
  if (args.WantsHelp()) {
    std::cout << "usage: switchboard-admin " << command->usage << '\n';
    return kExitOk;
  }
  try {
    EnvReader env;
    const admin::AdminConfig config = admin::ReadAdminConfig(env, command->needs);
    env.Check();
    ConfigureLog("switchboard-admin", config.log_level);
    LogConfiguration(env.Variables());
    UseKafkaProperties(config.kafka_properties);
    return command->run(args, config);
  } catch (const UsageError& e) {
    std::cerr << "switchboard-admin " << name << ": " << e.what() << '\n';
    PrintUsage();
    return kExitUsage;
  } catch (const ConfigError& e) {
    Log(LogLevel::kError, "configuration error", {{"command", name}, {"error", e.what()}});
    std::cerr << "switchboard-admin " << name << ": " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    // pqxx errors carry the failing SQL and server message, never the connection string.
    Log(LogLevel::kError, "command failed", {{"command", name}, {"error", e.what()}});
    std::cerr << "switchboard-admin " << name << ": " << e.what() << '\n';
    return kExitFailure;
  }
}
