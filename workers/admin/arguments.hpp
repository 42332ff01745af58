#pragma once

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::admin {

/// Thrown for a malformed command line; switchboard-admin prints the usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The words after a subcommand: `--name value` options, `--name` flags and plain words
/// (positionals). A command takes what it reads, then calls RejectUnused().
class Arguments final {
 public:
  explicit Arguments(std::span<char* const> args);
  explicit Arguments(std::vector<std::string> words);

  /// The value of `--name`; throws UsageError naming it when absent, given twice or valueless.
  std::string Required(std::string_view name);
  /// The value of `--name` when given; throws UsageError when given twice or valueless.
  std::optional<std::string> Optional(std::string_view name);
  /// Whether the flag `--name` was given; throws UsageError when given twice.
  bool Flag(std::string_view name);
  /// The plain words not taken as option values yet, in order (call after the options).
  std::vector<std::string> Positionals();
  /// Throws UsageError naming the first word no read took.
  void RejectUnused() const;
  /// Whether `--help` (or `-h`) is among the words.
  bool WantsHelp() const;

 private:
  /// The index of `--name`, if given; throws UsageError when given twice.
  std::optional<std::size_t> Find(std::string_view name) const;

  std::vector<std::string> words_;
  std::vector<bool> taken_;
};

}  // namespace switchboard::admin
