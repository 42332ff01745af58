// Interop (label "interop", opt-in: `tests/run -L interop`): the agent against a real
// OpenAI-compatible server, llama-cpp-python's, with the SmolLM2-135M model that tests/run
// installs into the cache (SWITCHBOARD_LLM_SERVER_PYTHON, SWITCHBOARD_LLM_MODEL). The model's
// answers are poor; what is checked is the wire format and the guards: the server accepts every
// request, our tool-call turn and tool result go back to it, and whatever the model says the
// customer gets a guarded answer or the fallback message.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <pqxx/pqxx>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/token_cipher.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/admin/demo_seed.hpp"
#include "workers/agent/answer_guard.hpp"
#include "workers/agent/llm_client.hpp"
#include "workers/agent/tools.hpp"

namespace {

using namespace switchboard;
using namespace switchboard::testing;
using namespace std::chrono_literals;

constexpr char kModelName[] = "smollm2-135m";

/// A port nobody listens on now (the server cannot report a port it picked itself).
unsigned short FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

/// llama-cpp-python's OpenAI-compatible server, ready to answer, stopped when destroyed.
class LlamaServer final {
 public:
  LlamaServer() : port_(FreePort()) {
    process_ = std::make_unique<ChildProcess>(
        RequireEnv("SWITCHBOARD_LLM_SERVER_PYTHON"),
        std::vector<std::string>{"-m", "llama_cpp.server", "--model",
                                 RequireEnv("SWITCHBOARD_LLM_MODEL"), "--model_alias", kModelName,
                                 "--host", "127.0.0.1", "--port", std::to_string(port_), "--n_ctx",
                                 "4096", "--chat_format", "chatml-function-calling"},
        CurrentEnvironment());
    const auto deadline = std::chrono::steady_clock::now() + 180s;
    while (!Answers()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        FAIL("the LLM server never answered /v1/models:\n" << process_->Stderr());
      }
      std::this_thread::sleep_for(250ms);  // polling the server's readiness with a deadline
    }
  }
  ~LlamaServer() {
    process_->Signal(SIGTERM);
    if (process_->Wait(20s) < 0) process_->Signal(SIGKILL);
  }

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  /// The status of every request in the server's access log ("POST /v1/chat/completions
  /// HTTP/1.1" 200), in order.
  std::vector<int> ChatStatuses() const {
    static const std::regex kLine(R"re("POST /v1/chat/completions HTTP/1\.1" (\d{3}))re");
    std::vector<int> statuses;
    const std::string log = process_->Stderr();
    for (auto it = std::sregex_iterator(log.begin(), log.end(), kLine);
         it != std::sregex_iterator(); ++it) {
      statuses.push_back(std::stoi((*it)[1].str()));
    }
    return statuses;
  }

  std::string Log() const { return process_->Stderr(); }

 private:
  bool Answers() const {
    try {
      return HttpCall(port_, "GET", "/v1/models").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  }

  unsigned short port_;
  std::unique_ptr<ChildProcess> process_;
};

agent::LlmOptions Options(const LlamaServer& server) {
  agent::LlmOptions options;
  options.base_url = server.BaseUrl();
  options.model = kModelName;
  options.timeout = 120s;
  options.max_tokens = 96;
  return options;
}

}  // namespace

TEST_CASE("interop: the real server accepts our tool-call turn and tool result, and answers") {
  LlamaServer server;
  const agent::LlmClient llm(Options(server));
  const std::vector<agent::ChatMessage> messages = {
      {"system", "You are the receptionist of a dental clinic. Answer in one sentence.", "", {}},
      {"user", "How much is a cleaning?", "", {}},
      // The turn the agent sends back after running a tool: content "" (null is refused).
      {"assistant", "", "", {{"call_1", "get_pricing", R"({"service":"Cleaning"})"}}},
      {"tool", R"({"service":"Cleaning","price":"90.00 EUR","duration_minutes":45})", "call_1", {}},
  };
  const auto with_tools = llm.Complete(messages, agent::ToolDefinitionsJson());
  INFO(server.Log());
  INFO((with_tools.ok() ? "" : with_tools.error().message));
  REQUIRE(with_tools.ok());
  const auto without_tools = llm.Complete(messages, "");
  INFO((without_tools.ok() ? "" : without_tools.error().message));
  REQUIRE(without_tools.ok());
  const auto statuses = server.ChatStatuses();
  REQUIRE(statuses.size() == 2);
  CHECK(statuses == std::vector<int>{200, 200});
}

TEST_CASE(
    "interop: the demo's WhatsApp questions through the pipeline get a guarded answer or "
    "the fallback") {
  LlamaServer server;
  FakeGraphApi graph;
  const TokenCipher cipher(RequireEnv("TOKEN_ENCRYPTION_KEYS"));
  pqxx::connection owner(RequireEnv("DATABASE_OWNER_URL"));
  admin::DemoSeedOptions demo;
  demo.whatsapp_phone_number_id = "interop-" + UniqueSuffix();
  admin::SeedDemoTenant(owner, cipher, demo);
  const std::string fallback =
      pqxx::nontransaction(owner)
          .exec_params1("SELECT settings->>'fallback_message' FROM businesses WHERE id = $1",
                        std::string(admin::kDemoBusinessId))[0]
          .as<std::string>();

  Pipeline pipeline({.graph_base_url = graph.Url(),
                     .llm_base_url = server.BaseUrl(),
                     .environment = {{"LLM_MODEL", kModelName},
                                     {"LLM_TIMEOUT_MS", "120000"},
                                     {"LLM_MAX_TOKENS", "96"},
                                     {"AGENT_MAX_TOOL_STEPS", "2"}}});
  const std::vector<std::string> questions = {
      "What does a cleaning cost?", "What are your opening hours?",
      "Can I book a check-up next Tuesday at 10:00?", "Where can I park?"};
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const auto body =
        WhatsAppText(demo.whatsapp_phone_number_id, "4915100000" + std::to_string(10 + i),
                     "wamid.interop-" + UniqueSuffix() + "-" + std::to_string(i), questions[i]);
    REQUIRE(pipeline.PostMetaDelivery(body).status == 200);
  }
  const bool all_answered = graph.WaitForRequests(questions.size(), 600s);
  INFO("agent log:\n" << pipeline.Logs(Stage::kAgent));
  INFO("server log:\n" << server.Log());
  REQUIRE(all_answered);
  for (const auto& request : graph.Requests()) {
    rapidjson::Document sent;
    sent.Parse(request.body.c_str());
    REQUIRE(sent.IsObject());
    const std::string text = sent["text"]["body"].GetString();
    CAPTURE(text);
    // Long answers are split into parts by the sender; each part passes the guard on its own.
    CHECK((text == fallback || agent::CheckAnswer(text, 4096) == agent::AnswerProblem::kNone));
  }
  const auto statuses = server.ChatStatuses();
  CHECK(statuses.size() >= questions.size());
  for (int status : statuses) CHECK(status == 200);
}
