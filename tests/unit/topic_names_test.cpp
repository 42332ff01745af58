// Each topic is spelled in exactly one source file, its contract unit: no producer or consumer
// writes a topic's name, schema header or key by hand.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/topic_schema.hpp"

namespace {

namespace fs = std::filesystem;

/// The product's C++ sources (ingest, workers, common), relative to the source tree.
std::vector<std::string> ProductSources() {
  std::vector<std::string> files;
  for (const char* dir : {"common", "ingest", "workers"}) {
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(SWITCHBOARD_SOURCE_DIR) / dir)) {
      const std::string extension = entry.path().extension().string();
      if (extension != ".cpp" && extension != ".hpp") continue;
      files.push_back(fs::relative(entry.path(), SWITCHBOARD_SOURCE_DIR).string());
    }
  }
  return files;
}

/// True when `text` holds `name` as a string literal or the start of one ("name" or "name/...").
bool SpellsTopic(const std::string& text, const std::string& name) {
  for (const char* end : {"\"", "/"}) {
    if (text.find('"' + name + end) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("every topic's name is spelled in exactly one product source file") {
  const std::vector<std::string> sources = ProductSources();
  REQUIRE(sources.size() > 20);
  std::map<std::string, std::string> texts;
  for (const std::string& file : sources) texts[file] = switchboard::testing::ReadSourceFile(file);
  for (const char* topic :
       {"webhooks.raw", "messages.inbound", "delivery.status", "messages.resolved",
        "replies.outbound", "usage.events", "tools.requests", "tools.results", "voice.events"}) {
    CAPTURE(topic);
    CHECK(switchboard::testing::SchemaForTopic(topic).document["x-kafka"]["topic"] == topic);
    std::set<std::string> spelled_in;
    for (const auto& [file, text] : texts) {
      if (SpellsTopic(text, topic)) spelled_in.insert(file);
    }
    CHECK_MESSAGE(spelled_in.size() == 1, "spelled in " << spelled_in.size() << " files");
    for (const std::string& file : spelled_in) {
      CAPTURE(file);
      CHECK(file.starts_with("common/topics/"));
    }
  }
}
