#include "tests/support/pipeline.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

namespace switchboard::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kAppSecret[] = "e2e-app-secret";
constexpr char kVapiSecret[] = "e2e-vapi-secret";

struct StageBinary {
  const char* name;
  const char* path;
  const char* listening_message;
  std::vector<std::string> topics;  // what it consumes
};

const std::array<StageBinary, 6> kBinaries = {{
    {"ingest", SWITCHBOARD_BINARY_DIR "/ingest/switchboard-ingest", "ingest listening", {}},
    {"resolver",
     SWITCHBOARD_BINARY_DIR "/workers/switchboard-resolver",
     "stage ops listening",
     {"messages.inbound"}},
    {"agent",
     SWITCHBOARD_BINARY_DIR "/workers/switchboard-agent",
     "stage ops listening",
     {"messages.resolved"}},
    {"sender",
     SWITCHBOARD_BINARY_DIR "/workers/switchboard-sender",
     "stage ops listening",
     {"replies.outbound", "delivery.status"}},
    {"usage",
     SWITCHBOARD_BINARY_DIR "/workers/switchboard-usage",
     "stage ops listening",
     {"usage.events"}},
    // Last: started only with PipelineOptions::calls.
    {"calls",
     SWITCHBOARD_BINARY_DIR "/workers/switchboard-calls",
     "stage ops listening",
     {"voice.events"}},
}};

bool Ready(unsigned short port) {
  try {
    return HttpCall(port, "GET", "/readyz").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

/// SIGTERM to `process` and its exit code (0 expected); any other code is reported with what the
/// process logged.
int Terminate(ChildProcess& process, const std::string& name) {
  process.Signal(SIGTERM);
  const int code = process.Wait(60s);
  if (code != 0) MESSAGE(name << " exited " << code << ":\n" << process.Stderr());
  return code;
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options)
    : options_(std::move(options)), groups_prefix_("switchboard-test-" + UniqueSuffix() + "-") {
  // Consumer groups of this pipeline alone, starting at the end of the topics: what other tests
  // wrote before is not this pipeline's work.
  const auto brokers_set = options_.environment.find("KAFKA_BROKERS");
  const std::string brokers =
      brokers_set != options_.environment.end() ? brokers_set->second : RequireEnv("KAFKA_BROKERS");
  const std::size_t stages = options_.calls ? kBinaries.size() : kBinaries.size() - 1;
  for (std::size_t i = 0; i < stages; ++i) {
    if (!kBinaries[i].topics.empty()) {
      StartGroupAtEnd(brokers, groups_prefix_ + kBinaries[i].name, kBinaries[i].topics);
    }
  }
  for (std::size_t i = 0; i < stages; ++i) Start(static_cast<Stage>(i));
}

Pipeline::~Pipeline() {
  // SWITCHBOARD_TEST_STAGE_LOGS=1 prints what every stage logged, for a failing test's reader.
  const char* show = std::getenv("SWITCHBOARD_TEST_STAGE_LOGS");
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    if (!processes_[i]) continue;
    if (show != nullptr && std::string(show) == "1") {
      std::fprintf(stderr, "---- %s ----\n%s", kBinaries[i].name, processes_[i]->Stderr().c_str());
    }
    Stop(static_cast<Stage>(i));
  }
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    for (std::size_t r = 0; r < replicas_[i].size(); ++r) {
      if (replicas_[i][r].running) StopReplica(static_cast<Stage>(i), r + 1);
    }
  }
}

void Pipeline::Start(Stage stage) {
  const auto index = static_cast<std::size_t>(stage);
  auto [process, port] = Launch(stage);
  processes_[index] = std::move(process);
  ports_[index] = port;
}

std::size_t Pipeline::AddReplica(Stage stage) {
  REQUIRE_MESSAGE(stage != Stage::kIngest, "ingest replicas would need a port each");
  auto& replicas = replicas_[static_cast<std::size_t>(stage)];
  replicas.push_back({.process = Launch(stage).first});
  return replicas.size();
}

int Pipeline::StopReplica(Stage stage, std::size_t replica) {
  Replica& added = replicas_[static_cast<std::size_t>(stage)].at(replica - 1);
  REQUIRE(added.running);
  added.running = false;
  return Terminate(*added.process, std::string(kBinaries[static_cast<std::size_t>(stage)].name) +
                                       " replica " + std::to_string(replica));
}

std::string Pipeline::ReplicaLogs(Stage stage, std::size_t replica) const {
  return replicas_[static_cast<std::size_t>(stage)].at(replica - 1).process->Stderr();
}

std::pair<std::unique_ptr<ChildProcess>, unsigned short> Pipeline::Launch(Stage stage) const {
  const auto index = static_cast<std::size_t>(stage);
  const StageBinary& binary = kBinaries[index];
  auto environment = CurrentEnvironment();
  environment["META_APP_SECRET"] = kAppSecret;
  environment["META_VERIFY_TOKEN"] = "e2e";
  environment["VAPI_SECRET"] = kVapiSecret;
  // A restarted ingest takes the port it had: clients posting through the restart find it again.
  environment["INGEST_PORT"] = stage == Stage::kIngest ? std::to_string(ports_[index]) : "0";
  environment["STAGE_HTTP_PORT"] = "0";
  environment["KAFKA_GROUP_ID"] = groups_prefix_ + binary.name;
  environment["GRAPH_BASE_URL"] = options_.graph_base_url;
  environment["MAX_IN_FLIGHT"] = std::to_string(options_.max_in_flight);
  // A killed member's partitions move to the others after this long, not after 45 s.
  environment["KAFKA_SESSION_TIMEOUT_MS"] = "6000";
  environment["RETRY_MAX_MS"] = "2000";
  environment.erase("LLM_BASE_URL");
  if (!options_.llm_base_url.empty()) {
    environment["LLM_BASE_URL"] = options_.llm_base_url;
    environment["LLM_API_KEY"] = "e2e-llm-key";
    environment["LLM_MODEL"] = "fake-model";
  }
  for (const auto& [name, value] : options_.environment) environment[name] = value;
  auto process =
      std::make_unique<ChildProcess>(binary.path, std::vector<std::string>{}, environment);
  const unsigned short port = process->LoggedPort(binary.listening_message, 30s);
  if (port == 0) {
    FAIL(binary.name << " did not start:\n" << process->Stderr());
  }
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!Ready(port)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      FAIL(binary.name << " never became ready:\n" << process->Stderr());
    }
    std::this_thread::sleep_for(50ms);  // polling /readyz with a deadline
  }
  return {std::move(process), port};
}

void Pipeline::Kill(Stage stage) {
  auto& process = processes_[static_cast<std::size_t>(stage)];
  process->Signal(SIGKILL);
  process->Wait(30s);
}

int Pipeline::Stop(Stage stage) {
  auto& process = processes_[static_cast<std::size_t>(stage)];
  const int code = Terminate(*process, kBinaries[static_cast<std::size_t>(stage)].name);
  process.reset();
  return code;
}

std::string Pipeline::Logs(Stage stage) const {
  const auto& process = processes_[static_cast<std::size_t>(stage)];
  return process ? process->Stderr() : std::string();
}

double Pipeline::Metric(Stage stage, const std::string& name) const {
  const std::string text =
      HttpCall(ports_[static_cast<std::size_t>(stage)], "GET", "/metrics").body;
  double sum = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line(text.data() + start, end - start);
    if (line.starts_with(name) && line.size() > name.size() &&
        (line[name.size()] == '{' || line[name.size()] == ' ')) {
      sum += std::stod(std::string(line.substr(line.rfind(' ') + 1)));
    }
    start = end + 1;
  }
  return sum;
}

std::string Pipeline::Sign(const std::string& body) const {
  return MetaSignature(kAppSecret, body);
}

unsigned short Pipeline::IngestPort() const {
  return ports_[static_cast<std::size_t>(Stage::kIngest)];
}

HttpResult Pipeline::PostMetaDelivery(const std::string& body) const {
  return HttpCall(IngestPort(), "POST", "/webhooks/meta", body,
                  {{"X-Hub-Signature-256", Sign(body)}, {"Content-Type", "application/json"}});
}

HttpResult Pipeline::PostVapi(const std::string& body) const {
  return HttpCall(IngestPort(), "POST", "/webhooks/vapi", body,
                  {{"x-vapi-secret", kVapiSecret}, {"Content-Type", "application/json"}});
}

std::string WhatsAppText(const std::string& phone_number_id, const std::string& wa_id,
                         const std::string& id, const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("object");
  w.String("whatsapp_business_account");
  w.Key("entry");
  w.StartArray();
  w.StartObject();
  w.Key("id");
  w.String("WABA");
  w.Key("changes");
  w.StartArray();
  w.StartObject();
  w.Key("field");
  w.String("messages");
  w.Key("value");
  w.StartObject();
  w.Key("messaging_product");
  w.String("whatsapp");
  w.Key("metadata");
  w.StartObject();
  w.Key("display_phone_number");
  w.String("15550001111");
  w.Key("phone_number_id");
  w.String(phone_number_id);
  w.EndObject();
  w.Key("contacts");
  w.StartArray();
  w.StartObject();
  w.Key("profile");
  w.StartObject();
  w.Key("name");
  w.String("Customer " + wa_id);
  w.EndObject();
  w.Key("wa_id");
  w.String(wa_id);
  w.EndObject();
  w.EndArray();
  w.Key("messages");
  w.StartArray();
  w.StartObject();
  w.Key("from");
  w.String(wa_id);
  w.Key("id");
  w.String(id);
  w.Key("timestamp");
  w.String(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()));
  w.Key("type");
  w.String("text");
  w.Key("text");
  w.StartObject();
  w.Key("body");
  w.String(text);
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace switchboard::testing
