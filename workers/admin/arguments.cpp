#include "workers/admin/arguments.hpp"

namespace switchboard::admin {

Arguments::Arguments(std::span<char* const> args)
    : Arguments(std::vector<std::string>(args.begin(), args.end())) {}

Arguments::Arguments(std::vector<std::string> words)
    : words_(std::move(words)), taken_(words_.size(), false) {}

std::optional<std::size_t> Arguments::Find(std::string_view name) const {
  const std::string option = "--" + std::string(name);
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (words_[i] != option) continue;
    if (found) throw UsageError("option " + option + " given twice");
    found = i;
  }
  return found;
}

std::optional<std::string> Arguments::Optional(std::string_view name) {
  const std::optional<std::size_t> at = Find(name);
  if (!at) return std::nullopt;
  if (*at + 1 >= words_.size() || words_[*at + 1].starts_with("--")) {
    throw UsageError("option --" + std::string(name) + " needs a value");
  }
  taken_[*at] = taken_[*at + 1] = true;
  return words_[*at + 1];
}

std::string Arguments::Required(std::string_view name) {
  std::optional<std::string> value = Optional(name);
  if (!value) throw UsageError("missing --" + std::string(name));
  return std::move(*value);
}

bool Arguments::Flag(std::string_view name) {
  const std::optional<std::size_t> at = Find(name);
  if (!at) return false;
  taken_[*at] = true;
  return true;
}

std::vector<std::string> Arguments::Positionals() {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (taken_[i] || words_[i].starts_with("--")) continue;
    taken_[i] = true;
    words.push_back(words_[i]);
  }
  return words;
}

void Arguments::RejectUnused() const {
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (taken_[i]) continue;
    if (words_[i].starts_with("--")) throw UsageError("unknown option " + words_[i]);
    throw UsageError("unexpected argument '" + words_[i] + "'");
  }
}

bool Arguments::WantsHelp() const {
  for (const std::string& word : words_) {
    if (word == "--help" || word == "-h") return true;
  }
  return false;
}

}  // namespace switchboard::admin
