#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/business_facts.hpp"
#include "ingest/vapi_message.hpp"

namespace switchboard::ingest {

/// One tenant's Vapi number (a voice_integrations row, migration 0009) with what its assistant
/// speaks from, as of the last load.
struct VoiceIntegration {
  std::string business_id;
  std::string phone_number_id;
  std::string assistant_id;  ///< "" when none
  std::string first_message;
  /// Vapi's voice object as JSON text ("{}": Vapi's default voice).
  std::string voice_json = "{}";
  std::string business_name;
  std::string timezone = "UTC";
  std::string language = "en";
  /// businesses.settings: personality, greeting, limit_message ("" when unset).
  std::string personality;
  std::string greeting;
  std::string limit_message;
  WeeklyHours hours;
  std::vector<Service> services;
  std::int64_t monthly_voice_seconds_limit = 0;
  std::int64_t voice_seconds_this_month = 0;
};

/// The voice integrations ingest routes Vapi calls by, held in memory: replaced whole by the
/// background refresh, read by every request without touching the database. Thread-safe.
class VoiceDirectory final {
 public:
  /// Replaces every entry (a later row with an id already taken is ignored).
  void Replace(std::vector<VoiceIntegration> integrations);

  /// The integration of the call's phone number id, else of its assistant id; nullptr when
  /// neither is known.
  std::shared_ptr<const VoiceIntegration> Find(const VapiCallInfo& call) const;

  /// Whether a load has succeeded since start.
  bool Loaded() const;

  /// How many integrations it holds.
  std::size_t Size() const;

 private:
  struct Snapshot {
    std::unordered_map<std::string, std::shared_ptr<const VoiceIntegration>> by_phone_number;
    std::unordered_map<std::string, std::shared_ptr<const VoiceIntegration>> by_assistant;
    std::size_t size = 0;
  };

  mutable std::mutex mutex_;  // guards snapshot_ (the pointer; a snapshot never changes)
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace switchboard::ingest
