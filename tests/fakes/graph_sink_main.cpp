// switchboard-graph-sink: the demo's Meta Graph API. Answers sends like the real one and appends
// every request to a JSON-lines file. Args (or env): --port N (GRAPH_SINK_PORT, default 0),
// --log FILE (GRAPH_SINK_LOG). Stops on SIGTERM/SIGINT.
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "common/log.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/fake_main.hpp"

namespace {

using namespace switchboard;

int Run(int argc, char** argv) {
  testing::FakeGraphApi::Options options;
  std::string port = EnvOr("GRAPH_SINK_PORT", "0");
  options.log_path = EnvOr("GRAPH_SINK_LOG", "");
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = argv[++i];
    } else if (arg == "--log" && i + 1 < argc) {
      options.log_path = argv[++i];
    } else {
      Log(LogLevel::kError, "usage: switchboard-graph-sink [--port N] [--log FILE]",
          {{"argument", arg}});
      return 2;
    }
  }
  options.port = static_cast<unsigned short>(std::stoul(port));
  testing::FakeGraphApi graph(options);
  Log(LogLevel::kInfo, "listening on " + std::to_string(graph.Port()),
      {{"port", static_cast<int>(graph.Port())}, {"log", options.log_path}});
  testing::WaitForStopSignal();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureLog("graph-sink", EnvOr("LOG_LEVEL", "info"));
  return testing::FakeMain("graph sink failed", [&] { return Run(argc, argv); });
}
