// Vapi voice through the real binaries: switchboard-ingest (one or two replicas) and
// switchboard-tools against the broker and PostgreSQL tests/run started. A test plays Vapi: it
// posts server-URL messages to ingest's /webhooks/vapi and reads the HTTP answers and the topics.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "common/json.hpp"
#include "common/topics/tools_requests.hpp"
#include "common/topics/webhooks_raw.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

constexpr char kVapiSecret[] = "e2e-vapi-secret";
const std::string kIngest = SWITCHBOARD_BINARY_DIR "/ingest/switchboard-ingest";
const std::string kTools = SWITCHBOARD_BINARY_DIR "/workers/switchboard-tools";

bool Ready(unsigned short port) {
  try {
    return HttpCall(port, "GET", "/readyz").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

/// A binary started with the test's environment plus `extra`, ready (its /readyz answers 200).
struct Running {
  Running(const std::string& binary, const std::string& listening,
          const std::map<std::string, std::string>& extra) {
    auto environment = CurrentEnvironment();
    for (const auto& [name, value] : extra) environment[name] = value;
    process = std::make_unique<ChildProcess>(binary, std::vector<std::string>{}, environment);
    port = process->LoggedPort(listening, 30s);
    REQUIRE_MESSAGE(port != 0, binary << " did not start:\n" << process->Stderr());
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!Ready(port)) {
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, binary
                                                                       << " never became ready:\n"
                                                                       << process->Stderr());
      std::this_thread::sleep_for(50ms);  // polling /readyz with a deadline
    }
  }
  ~Running() {
    process->Signal(SIGTERM);
    const int code = process->Wait(30s);
    if (code != 0) MESSAGE("exited " << code << ":\n" << process->Stderr());
  }

  std::unique_ptr<ChildProcess> process;
  unsigned short port = 0;
};

/// An ingest replica with instance id `instance`.
std::unique_ptr<Running> StartIngest(const std::string& instance,
                                     const std::string& deadline_ms = "4000") {
  return std::make_unique<Running>(
      kIngest, "ingest listening",
      std::map<std::string, std::string>{{"INGEST_PORT", "0"},
                                         {"META_APP_SECRET", "e2e"},
                                         {"META_VERIFY_TOKEN", "e2e"},
                                         {"VAPI_SECRET", std::string("old-secret,") + kVapiSecret},
                                         {"VAPI_TOOL_DEADLINE_MS", deadline_ms},
                                         {"INGEST_INSTANCE_ID", instance},
                                         {"VOICE_REFRESH_MS", "500"}});
}

/// The tools stage in a consumer group of this test, starting at the end of tools.requests.
std::unique_ptr<Running> StartTools() {
  const std::string group = "e2e-vapi-tools-" + UniqueSuffix();
  StartGroupAtEnd(RequireEnv("KAFKA_BROKERS"), group, {std::string(topics::ToolsRequests::kTopic)});
  return std::make_unique<Running>(
      kTools, "stage ops listening",
      std::map<std::string, std::string>{{"STAGE_HTTP_PORT", "0"}, {"KAFKA_GROUP_ID", group}});
}

/// A tenant (Mon-Fri 09:00-17:00 in Berlin, Check-up and Cleaning) with a Vapi number.
struct VoiceTenant {
  VoiceTenant() : business_id(SeedTenant({}).business_id), phone_number_id("pn-" + UniqueSuffix()) {
    pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
    pqxx::work tx(owner);
    tx.exec_params("INSERT INTO voice_integrations (business_id, phone_number_id) VALUES ($1, $2)",
                   business_id, phone_number_id);
    tx.commit();
  }

  std::string business_id;
  std::string phone_number_id;
};

/// A tool-calls message of call `call_id`: get_services, then check_availability next Monday.
std::string ToolCalls(const VoiceTenant& tenant, const std::string& call_id) {
  using namespace std::chrono;
  const sys_days today = floor<days>(system_clock::now());
  sys_days monday = today + days(2);
  while (weekday(monday) != Monday) monday += days(1);
  const year_month_day date(monday);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return R"({"message":{"type":"tool-calls","call":{"id":")" + call_id + R"(","phoneNumberId":")" +
         tenant.phone_number_id +
         R"(","customer":{"number":"+4915199990000"}},"toolCallList":[)"
         R"({"id":")" +
         call_id +
         R"(-services","type":"function",)"
         R"("function":{"name":"get_services","arguments":"{}"}},)"
         R"({"id":")" +
         call_id +
         R"(-slots","name":"check_availability",)"
         R"("arguments":{"date":")" +
         text + R"(","service":"Check-up"}}]}})";
}

HttpResult PostVapi(unsigned short port, const std::string& body,
                    const std::string& secret = kVapiSecret) {
  return HttpCall(port, "POST", "/webhooks/vapi", body,
                  {{"Content-Type", "application/json"}, {"x-vapi-secret", secret}});
}

rapidjson::Document Json(const HttpResult& result) {
  auto document = json::Parse(result.body);
  REQUIRE_MESSAGE(document.ok(), result.body);
  return std::move(document).value();
}

/// Checks an answer to ToolCalls(…, call_id): both results, in call order, from the tools stage.
void CheckAnsweredInOrder(const HttpResult& result, const std::string& call_id) {
  REQUIRE_MESSAGE(result.status == 200, result.body);
  const auto answer = Json(result);
  REQUIRE(answer.HasMember("results"));
  const auto& results = answer["results"];
  REQUIRE(results.Size() == 2);
  CHECK(json::String(results[0], "toolCallId") == call_id + "-services");
  CHECK(json::String(results[1], "toolCallId") == call_id + "-slots");
  const std::string services = json::String(results[0], "result").value_or("<none>");
  CHECK_MESSAGE(services.find("Check-up") != std::string::npos, result.body);
  CHECK_MESSAGE(services.find("Cleaning") != std::string::npos, result.body);
  CHECK_MESSAGE(results[1].HasMember("result"), result.body);
  CHECK(json::String(results[1], "result") != std::string("<none>"));
  for (const auto& entry : results.GetArray()) {
    const std::string text = json::String(entry, "result").value_or("");
    CHECK(text.find('\n') == std::string::npos);
    CHECK(text.find("taking longer than expected") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("vapi ingest: get_services and check_availability in one request, answered in order") {
  VoiceTenant tenant;
  const auto tools = StartTools();
  const auto ingest = StartIngest("e2e-a-" + UniqueSuffix());
  const std::string call_id = "call-" + UniqueSuffix();
  const auto started = std::chrono::steady_clock::now();
  CheckAnsweredInOrder(PostVapi(ingest->port, ToolCalls(tenant, call_id)), call_id);
  MESSAGE("tool-calls round trip: " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()
                                    << " ms");
}

TEST_CASE("vapi ingest: with the tools stage stopped, the apology arrives within the deadline") {
  VoiceTenant tenant;
  const auto ingest = StartIngest("e2e-b-" + UniqueSuffix(), "800");
  TopicReader requests(RequireEnv("KAFKA_BROKERS"), std::string(topics::ToolsRequests::kTopic));
  const std::string call_id = "call-" + UniqueSuffix();
  const auto started = std::chrono::steady_clock::now();
  const HttpResult result = PostVapi(ingest->port, ToolCalls(tenant, call_id));
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(result.status == 200);
  CHECK(took >= 800ms);
  CHECK(took < 2500ms);
  const auto answer = Json(result);
  const auto& results = answer["results"];
  REQUIRE(results.Size() == 2);
  for (const auto& entry : results.GetArray()) {
    CHECK(json::String(entry, "result").value_or("").find("taking longer than expected") !=
          std::string::npos);
  }
  CHECK(json::String(results[0], "toolCallId") == call_id + "-services");
  // The calls were handed to the broker all the same: a tools stage that comes back skips them
  // (past deadline_at).
  const auto records = requests.ReadAtLeast(2, 10s);
  int ours = 0;
  for (const auto& record : records) ours += record.key == call_id ? 1 : 0;
  CHECK(ours == 2);
}

TEST_CASE("vapi ingest: two ingest replicas each answer their own calls") {
  VoiceTenant tenant;
  const auto tools = StartTools();
  const auto first = StartIngest("e2e-r1-" + UniqueSuffix());
  const auto second = StartIngest("e2e-r2-" + UniqueSuffix());
  // Both at once, several times: every result must reach the replica that waits for it.
  for (int round = 0; round < 3; ++round) {
    const std::string call_a = "call-a" + std::to_string(round) + "-" + UniqueSuffix();
    const std::string call_b = "call-b" + std::to_string(round) + "-" + UniqueSuffix();
    auto a = std::async(std::launch::async,
                        [&] { return PostVapi(first->port, ToolCalls(tenant, call_a)); });
    auto b = std::async(std::launch::async,
                        [&] { return PostVapi(second->port, ToolCalls(tenant, call_b)); });
    CheckAnsweredInOrder(a.get(), call_a);
    CheckAnsweredInOrder(b.get(), call_b);
  }
}

TEST_CASE("vapi ingest: requests without the right secret are 401 and produce nothing") {
  VoiceTenant tenant;
  const auto ingest = StartIngest("e2e-c-" + UniqueSuffix());
  const std::string brokers = RequireEnv("KAFKA_BROKERS");
  TopicReader raw(brokers, std::string(topics::WebhooksRaw::kTopic));
  TopicReader requests(brokers, std::string(topics::ToolsRequests::kTopic));
  const std::string refused = "call-refused-" + UniqueSuffix();
  CHECK(PostVapi(ingest->port, ToolCalls(tenant, refused), "wrong-secret").status == 401);
  CHECK(HttpCall(ingest->port, "POST", "/webhooks/vapi", ToolCalls(tenant, refused)).status == 401);
  // A request that is let in afterwards marks where the refused ones would have been.
  const std::string marker = "call-marker-" + UniqueSuffix();
  CHECK(PostVapi(ingest->port,
                 R"({"message":{"type":"status-update","status":"ringing","call":{"id":")" +
                     marker + R"(","phoneNumberId":")" + tenant.phone_number_id + R"("}}})",
                 "old-secret")
            .status == 200);
  bool marker_seen = false;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::vector<ConsumedRecord> seen;
  while (!marker_seen && std::chrono::steady_clock::now() < deadline) {
    for (auto& record : raw.ReadAtLeast(1, 1s)) {
      marker_seen = marker_seen || record.value.find(marker) != std::string::npos;
      seen.push_back(std::move(record));
    }
  }
  CHECK(marker_seen);
  for (const auto& record : seen) CHECK(record.value.find(refused) == std::string::npos);
  for (const auto& record : requests.ReadAtLeast(1, 1s)) {
    CHECK(record.key != refused);
  }
  // Neither the configured secrets nor the wrong one reach the log.
  const std::string log = ingest->process->Stderr();
  CHECK(log.find("vapi request refused") != std::string::npos);
  CHECK(log.find(kVapiSecret) == std::string::npos);
  CHECK(log.find("old-secret") == std::string::npos);
  CHECK(log.find("wrong-secret") == std::string::npos);
}
