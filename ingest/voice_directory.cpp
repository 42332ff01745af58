#include "ingest/voice_directory.hpp"

namespace switchboard::ingest {

void VoiceDirectory::Replace(std::vector<VoiceIntegration> integrations) {
  auto snapshot = std::make_shared<Snapshot>();
  for (VoiceIntegration& integration : integrations) {
    auto entry = std::make_shared<const VoiceIntegration>(std::move(integration));
    if (!snapshot->by_phone_number.emplace(entry->phone_number_id, entry).second) continue;
    if (!entry->assistant_id.empty()) snapshot->by_assistant.emplace(entry->assistant_id, entry);
    ++snapshot->size;
  }
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const VoiceIntegration> VoiceDirectory::Find(const VapiCallInfo& call) const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = snapshot_;
  }
  if (!snapshot) return nullptr;
  if (!call.phone_number_id.empty()) {
    if (auto found = snapshot->by_phone_number.find(call.phone_number_id);
        found != snapshot->by_phone_number.end()) {
      return found->second;
    }
  }
  if (!call.assistant_id.empty()) {
    if (auto found = snapshot->by_assistant.find(call.assistant_id);
        found != snapshot->by_assistant.end()) {
      return found->second;
    }
  }
  return nullptr;
}

bool VoiceDirectory::Loaded() const {
  std::lock_guard lock(mutex_);
  return snapshot_ != nullptr;
}

std::size_t VoiceDirectory::Size() const {
  std::lock_guard lock(mutex_);
  return snapshot_ ? snapshot_->size : 0;
}

}  // namespace switchboard::ingest
