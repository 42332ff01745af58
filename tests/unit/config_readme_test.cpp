// The README's configuration table against what the binaries read: every variable a binary's
// reader registers has a row naming that binary with the same default, and every row names only
// variables some binary reads, and only binaries that read them.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/db_pool.hpp"
#include "common/stage_main.hpp"
#include "ingest/ingest_config.hpp"
#include "workers/admin/admin_config.hpp"
#include "workers/agent/agent_config.hpp"
#include "workers/sender/sender_config.hpp"

namespace switchboard {
namespace {

/// One variable of one README row: who reads it and its default, as written.
struct ReadmeEntry {
  std::set<std::string> binaries;
  std::string documented_default;
};

const std::set<std::string> kStages = {"resolver", "agent", "sender", "usage"};

/// What each binary's main reads: the same functions, with nothing set.
std::map<std::string, std::vector<ConfigVariable>> Registry() {
  const auto variables_of = [](const std::function<void(EnvReader&)>& read) {
    EnvReader env([](const std::string&) { return std::nullopt; });
    read(env);
    return env.Variables();
  };
  const auto stage = [&](const std::string& name, const std::function<void(EnvReader&)>& own) {
    return variables_of([&](EnvReader& env) {
      ReadStageOptions(env, name, {});
      own(env);
    });
  };
  return {
      {"ingest", variables_of([](EnvReader& env) { ingest::ReadIngestConfig(env); })},
      {"resolver", stage("resolver", [](EnvReader& env) { db::ReadDatabaseOptions(env); })},
      {"usage", stage("usage", [](EnvReader& env) { db::ReadDatabaseOptions(env); })},
      {"agent", stage("agent", [](EnvReader& env) { agent::ReadAgentConfig(env); })},
      {"sender", stage("sender", [](EnvReader& env) { sender::ReadSenderConfig(env); })},
      {"admin", variables_of([](EnvReader& env) {
         admin::ReadAdminConfig(env, {.database = true,
                                      .brokers = true,
                                      .topics = true,
                                      .demo_seed = true,
                                      .embeddings = true,
                                      .serve = true});
       })},
  };
}

std::string Joined(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string Trim(std::string text) {
  const auto begin = text.find_first_not_of(' ');
  const auto end = text.find_last_not_of(' ');
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

/// `text` split at ", " outside parentheses and backticks.
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '`') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')') --depth;
    if (!quoted && depth == 0 && c == ',' && i + 1 < text.size() && text[i + 1] == ' ') {
      items.push_back(Trim(current));
      current.clear();
      ++i;
      continue;
    }
    current += c;
  }
  items.push_back(Trim(current));
  return items;
}

std::string Unquoted(const std::string& text) {
  if (text.size() >= 2 && text.front() == '`' && text.back() == '`') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

/// The binaries a "used by" cell names ("all", "stages", a binary, "admin `seed-demo`", ...).
std::set<std::string> Binaries(const std::string& cell) {
  std::set<std::string> binaries;
  for (const std::string& item : SplitList(cell)) {
    const std::string word = item.substr(0, item.find(' '));
    if (word == "all") {
      binaries.insert({"ingest", "resolver", "agent", "sender", "usage", "admin"});
    } else if (word == "stages") {
      binaries.insert(kStages.begin(), kStages.end());
    } else {
      binaries.insert(word);
    }
  }
  return binaries;
}

/// The rows of the table under "## Configuration", by variable.
std::map<std::string, ReadmeEntry> ReadmeTable() {
  std::ifstream file(SWITCHBOARD_SOURCE_DIR "/README.md");
  REQUIRE(file);
  std::map<std::string, ReadmeEntry> table;
  std::string line;
  bool in_section = false;
  while (std::getline(file, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Configuration";
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(Trim(cell));
    REQUIRE_MESSAGE(cells.size() >= 4, line);
    const std::vector<std::string> names = SplitList(cells[0]);
    const std::vector<std::string> defaults = SplitList(cells[3]);
    REQUIRE_MESSAGE(names.size() == defaults.size(), "one default per variable: " << line);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string name = Unquoted(names[i]);
      CHECK_MESSAGE(!table.contains(name), name << " has two rows");
      table[name] = {Binaries(cells[1]), Unquoted(defaults[i])};
    }
  }
  return table;
}

TEST_CASE("config: the README's configuration table matches what each binary reads") {
  const std::map<std::string, ReadmeEntry> table = ReadmeTable();
  REQUIRE(table.size() > 10);
  const auto registry = Registry();

  std::map<std::string, std::set<std::string>> readers;
  for (const auto& [binary, variables] : registry) {
    for (const ConfigVariable& variable : variables) {
      readers[variable.name].insert(binary);
      const auto row = table.find(variable.name);
      if (row == table.end()) {
        FAIL_CHECK(variable.name << " (read by " << binary << ") has no row in the README");
        continue;
      }
      CHECK_MESSAGE(row->second.documented_default == variable.documented_default,
                    variable.name << ": the README says '" << row->second.documented_default
                                  << "', " << binary << " uses '" << variable.documented_default
                                  << "'");
    }
  }
  for (const auto& [name, entry] : table) {
    const auto read = readers.find(name);
    if (read == readers.end()) {
      FAIL_CHECK(name << " has a README row but no binary reads it");
      continue;
    }
    CHECK_MESSAGE(entry.binaries == read->second,
                  name << ": the README says it is used by " << Joined(entry.binaries)
                       << ", it is read by " << Joined(read->second));
  }
}

}  // namespace
}  // namespace switchboard
