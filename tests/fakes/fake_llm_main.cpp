// switchboard-fake-llm: an OpenAI-compatible LLM for benchmarks. Answers every chat completion
// with the default echo after a delay. Args (or env): --port N (FAKE_LLM_PORT, default 0),
// --delay-ms N (FAKE_LLM_DELAY_MS, default 0), --threads N (FAKE_LLM_THREADS, default 1).
// Stops on SIGTERM/SIGINT.
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "common/log.hpp"
#include "tests/support/fake_llm.hpp"
#include "tests/support/fake_main.hpp"

namespace {

using namespace switchboard;

int Run(int argc, char** argv) {
  std::string port = EnvOr("FAKE_LLM_PORT", "0");
  std::string delay = EnvOr("FAKE_LLM_DELAY_MS", "0");
  std::string threads = EnvOr("FAKE_LLM_THREADS", "1");
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = argv[++i];
    } else if (arg == "--delay-ms" && i + 1 < argc) {
      delay = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = argv[++i];
    } else {
      Log(LogLevel::kError, "usage: switchboard-fake-llm [--port N] [--delay-ms N] [--threads N]",
          {{"argument", arg}});
      return 2;
    }
  }
  testing::FakeLlm llm({.port = static_cast<unsigned short>(std::stoul(port)),
                        .delay = std::chrono::milliseconds(std::stoll(delay)),
                        .threads = std::stoi(threads)});
  Log(LogLevel::kInfo, "listening on " + std::to_string(llm.Port()),
      {{"port", static_cast<int>(llm.Port())}, {"delay_ms", std::stoi(delay)}});
  testing::WaitForStopSignal();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureLog("fake-llm", EnvOr("LOG_LEVEL", "info"));
  return testing::FakeMain("fake LLM failed", [&] { return Run(argc, argv); });
}
