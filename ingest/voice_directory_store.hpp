#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <thread>
#include <vector>

#include "ingest/voice_directory.hpp"

namespace prometheus {
class Registry;
}

namespace switchboard::ingest {

/// Every active voice integration with its business (voice_directory(), migration 0009), read
/// in one statement. A business whose opening hours do not parse is kept with no hours (logged).
/// Throws pqxx errors.
std::vector<VoiceIntegration> LoadVoiceIntegrations(pqxx::connection& connection);

/// Keeps a VoiceDirectory current: loads it once in the constructor (a failure is logged and
/// leaves it empty and not Loaded()), then every `interval` on a thread of its own, keeping the
/// last good load when the database fails. Counts loads and failures in
/// switchboard_voice_directory_loads_total{outcome} and the entries in
/// switchboard_voice_directory_entries.
class VoiceDirectoryRefresher final {
 public:
  VoiceDirectoryRefresher(std::string database_url, std::chrono::milliseconds interval,
                          VoiceDirectory& directory, prometheus::Registry& registry);
  /// Stops the thread.
  ~VoiceDirectoryRefresher();
  VoiceDirectoryRefresher(const VoiceDirectoryRefresher&) = delete;
  VoiceDirectoryRefresher& operator=(const VoiceDirectoryRefresher&) = delete;

 private:
  struct Metrics;

  void LoadOnce();
  void Run();

  std::string database_url_;
  std::chrono::milliseconds interval_;
  VoiceDirectory& directory_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<pqxx::connection> connection_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: it runs on this object
};

}  // namespace switchboard::ingest
