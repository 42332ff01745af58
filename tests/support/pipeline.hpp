#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

namespace switchboard::testing {

/// The processes of the pipeline: the conversation stages, and the calls stage (voice.events).
enum class Stage { kIngest, kResolver, kAgent, kSender, kUsage, kCalls };

struct PipelineOptions {
  /// The Graph API the sender calls (a FakeGraphApi's Url()).
  std::string graph_base_url;
  /// The LLM the agent calls (a FakeLlm's Url() + "/v1"); empty runs the agent retrieval-only.
  std::string llm_base_url;
  int max_in_flight = 64;
  /// Also start the calls stage (Vapi end-of-call reports from ingest's /webhooks/vapi).
  bool calls = false;
  /// More variables for every stage (e.g. LLM_MODEL, LLM_TIMEOUT_MS, or KAFKA_BROKERS and the
  /// KAFKA_SECURITY_PROTOCOL... of another cluster); they win over the above.
  std::map<std::string, std::string> environment;
};

/// Every stage as its real binary, against the broker and database tests/run started, in consumer
/// groups of its own that start at the topics' current end. Stages are started ready (ops
/// endpoint answering /readyz) and stopped with SIGTERM when destroyed. A restarted ingest listens
/// on the port it had, so that a client can keep posting through a restart.
/// The posting members (PostMetaDelivery, PostVapi, IngestPort) may be called from other threads
/// while a stage is restarted.
class Pipeline final {
 public:
  explicit Pipeline(PipelineOptions options);
  ~Pipeline();

  /// Posts a WhatsApp delivery to ingest, signed with the pipeline's app secret.
  HttpResult PostMetaDelivery(const std::string& body) const;
  /// Posts a Vapi server-URL message to ingest with the pipeline's Vapi secret.
  HttpResult PostVapi(const std::string& body) const;
  /// The X-Hub-Signature-256 value ingest accepts for `body`.
  std::string Sign(const std::string& body) const;
  /// Where ingest takes webhooks.
  unsigned short IngestPort() const;

  /// Starts `stage` (again) and waits until it is ready.
  void Start(Stage stage);
  /// SIGKILL: the process dies without draining or committing.
  void Kill(Stage stage);
  /// SIGTERM and the exit code (0 expected).
  int Stop(Stage stage);
  /// Starts one more process of `stage` (not ingest) in the same consumer group (scaling it out),
  /// ready; returns its number for StopReplica (1 for the first added, then 2, ...).
  std::size_t AddReplica(Stage stage);
  /// SIGTERM to added process `replica` of `stage` and its exit code (0 expected).
  int StopReplica(Stage stage, std::size_t replica);
  /// What added process `replica` of `stage` logged (also after StopReplica).
  std::string ReplicaLogs(Stage stage, std::size_t replica) const;
  /// What `stage` logged so far (for failure messages).
  std::string Logs(Stage stage) const;
  /// The sum of every sample of metric `name` that `stage` serves on /metrics now.
  double Metric(Stage stage, const std::string& name) const;

 private:
  /// Starts `stage`'s binary and waits until it is ready; returns the process and its HTTP port.
  std::pair<std::unique_ptr<ChildProcess>, unsigned short> Launch(Stage stage) const;

  PipelineOptions options_;
  std::string groups_prefix_;  // + stage name: each stage's consumer group
  std::array<std::unique_ptr<ChildProcess>, 6> processes_;
  // Where each serves HTTP (ingest: also its webhooks); read by posting threads.
  std::array<std::atomic<unsigned short>, 6> ports_{};
  struct Replica {
    std::unique_ptr<ChildProcess> process;
    bool running = true;
  };
  std::array<std::vector<Replica>, 6> replicas_;  // AddReplica's
};

/// A signed-off WhatsApp text delivery from `wa_id` to `phone_number_id` with message `id`.
std::string WhatsAppText(const std::string& phone_number_id, const std::string& wa_id,
                         const std::string& id, const std::string& text);

}  // namespace switchboard::testing
