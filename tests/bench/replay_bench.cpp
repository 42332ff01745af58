// Replay throughput: `switchboard-admin replay --to-file` (JSON lines) against `kcat -C -e -J`
// (kcat's JSON envelope, also to a file) reading the same range of the same topic, in one run on
// this machine; prints records/s of each and their ratio (target >= 1.0). Not a test.
//
//   replay_bench [--records N] [--runs R]    env KAFKA_BROKERS; kcat on PATH (Debian's kcat,
//                                            installed by compose/local/lib.sh install_deps)
// Build it in Release (build/release) for figures that mean something.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/kafka_producer.hpp"
#include "common/kafka_topics.hpp"

using namespace switchboard;

namespace {

const std::string kAdmin = SWITCHBOARD_BINARY_DIR "/workers/switchboard-admin";

/// Runs `command` through the shell; seconds it took; exits when it fails.
double Timed(const std::string& command) {
  const auto start = std::chrono::steady_clock::now();
  if (std::system(command.c_str()) != 0) {
    std::cerr << "failed: " << command << '\n';
    std::exit(1);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long long Lines(const std::string& path) {
  long long lines = 0;
  if (FILE* file = std::fopen(path.c_str(), "r")) {
    for (int c; (c = std::fgetc(file)) != EOF;) lines += c == '\n';
    std::fclose(file);
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  long long records = 200000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--records") records = std::atoll(argv[i + 1]);
    if (option == "--runs") runs = std::atoi(argv[i + 1]);
  }
  const char* brokers_env = std::getenv("KAFKA_BROKERS");
  if (brokers_env == nullptr || records < 1 || runs < 1) {
    std::cerr << "usage: replay_bench [--records N] [--runs R] (env KAFKA_BROKERS)\n";
    return 2;
  }
  const std::string brokers = brokers_env;
  const std::string topic = "replay-bench-" + std::to_string(::getpid());
  CreateTopics(brokers, {{topic, 3, 3600000}});
  {
    KafkaProducer producer({.brokers = brokers, .linger = std::chrono::milliseconds(5)});
    std::vector<OutboundRecord> batch;
    for (long long n = 0; n < records; ++n) {
      batch.push_back(
          {.topic = topic,
           .key = "whatsapp:100000000000001:" + std::to_string(n % 997),
           .value =
               R"({"event_id":"e-)" + std::to_string(n) +
               R"(","schema":"bench/1","text":"Hello, do you have an appointment on Tuesday morning?","n":)" +
               std::to_string(n) + "}",
           .headers = {{"event-id", "e-" + std::to_string(n)}, {"tenant", "t1"}}});
      if (batch.size() == 10000 || n + 1 == records) {
        if (const auto error = producer.ProduceAndWait(batch)) {
          std::cerr << "produce: " << error->message << '\n';
          return 1;
        }
        batch.clear();
      }
    }
  }
  const std::string ours_file = "/tmp/" + topic + "-replay.jsonl";
  const std::string kcat_file = "/tmp/" + topic + "-kcat.jsonl";
  double ours = 1e9;
  double kcat = 1e9;
  for (int run = 0; run < runs; ++run) {
    ours = std::min(ours, Timed("LOG_LEVEL=warning " + kAdmin + " replay --topic " + topic +
                                " --from-offset 0 --to-file " + ours_file + " >/dev/null"));
    kcat = std::min(kcat, Timed("kcat -b " + brokers + " -C -t " + topic +
                                " -o beginning -e -q -J >" + kcat_file));
  }
  const long long ours_lines = Lines(ours_file);
  const long long kcat_lines = Lines(kcat_file);
  std::remove(ours_file.c_str());
  std::remove(kcat_file.c_str());
  std::printf("records %lld (3 partitions), best of %d runs\n", records, runs);
  std::printf("switchboard-admin replay --to-file: %.2f s, %.0f records/s (%lld lines)\n", ours,
              ours_lines / ours, ours_lines);
  std::printf("kcat -C -e -J:                      %.2f s, %.0f records/s (%lld lines)\n", kcat,
              kcat_lines / kcat, kcat_lines);
  std::printf("ratio replay/kcat: %.2f (target >= 1.0)\n",
              (ours_lines / ours) / (kcat_lines / kcat));
  return ours_lines == records && kcat_lines == records ? 0 : 1;
}
