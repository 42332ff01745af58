#pragma once

// Configuration: every binary reads environment variables only, through one EnvReader, into one
// typed struct (the stage part, StageOptions, plus the binary's own part), once at start-up.
//
// The reader checks each variable's type and range as it reads it and registers the variable
// with its default and whether it is secret. A bad value does not stop the reading: the default
// stands in, the problem is collected, and Check() throws one ConfigError naming every variable
// that was missing or wrong (main exits 2). After Check(), LogConfiguration() writes the one
// "configuration" log line with every variable's value in use, secrets masked. The registry is
// also what tests/unit/config_readme_test.cpp compares with the README's configuration table.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace switchboard {

/// Thrown at start-up when the environment is unusable; the message names the variable.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Whether a variable's value may appear in logs and error messages.
enum class Secrecy {
  kPublic,
  /// Never shown: "***" (or "" when empty).
  kSecret,
  /// A connection URL shown with its password (user info, `password=` parameters) as "***".
  kPasswordInUrl,
};

/// `value` as a log line may show it under `secrecy`.
std::string MaskSecret(std::string_view value, Secrecy secrecy);

/// A variable's default; `described` replaces the value in the README's table when the default is
/// computed at start-up (e.g. "number of cores (at least 2)").
template <typename T>
struct Default {
  template <typename U>
  requires std::convertible_to<U, T> Default(U&& given) : value(std::forward<U>(given)) {}
  Default(T given, std::string description)
      : value(std::move(given)), described(std::move(description)) {}

  T value;
  std::string described;
};

/// One variable a binary reads, as registered by EnvReader.
struct ConfigVariable {
  std::string name;
  Secrecy secrecy = Secrecy::kPublic;
  /// The default as the README's configuration table writes it: "required", "unset" (the
  /// feature is off), "empty", the value itself, or the description of a computed default.
  std::string documented_default;
  /// The value in use as the configuration log line shows it (masked when secret).
  std::variant<std::string, std::int64_t, double> shown;
};

/// Looks a variable up; nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process's environment (getenv).
EnvLookup ProcessEnvironment();

/// Lists the names of the variables that are set (for families such as KAFKA_CONFIG_<NAME>).
using EnvNames = std::function<std::vector<std::string>()>;

/// The names of the process's environment variables (environ).
EnvNames ProcessEnvironmentNames();

/// Reads typed variables and registers each one (see the top of this file). An empty value counts
/// as unset. Error messages name the variable and the allowed values, and show a bad value only
/// when the variable is not secret.
class EnvReader final {
 public:
  /// The process's environment.
  EnvReader();
  /// `lookup`'s variables; `names` lists them for the families (none when not given).
  explicit EnvReader(EnvLookup lookup, EnvNames names = {});

  /// A text, or `fallback` when unset.
  std::string String(std::string_view name, Default<std::string> fallback,
                     Secrecy secrecy = Secrecy::kPublic);
  /// A text that must be set; an error (and "") when unset.
  std::string Required(std::string_view name, Secrecy secrecy = Secrecy::kPublic);
  /// A text, or nullopt when unset (documented as "unset": the feature it enables is off).
  std::optional<std::string> Optional(std::string_view name, Secrecy secrecy = Secrecy::kPublic);
  /// The names of the variables set that start with `prefix`, sorted (read each one through
  /// the methods above).
  std::vector<std::string> NamesStartingWith(std::string_view prefix) const;
  /// One of `choices`, or `fallback` when unset.
  std::string OneOf(std::string_view name, std::string fallback,
                    std::initializer_list<std::string_view> choices);
  /// A whole number in [low, high], or `fallback` when unset.
  std::int64_t Integer(std::string_view name, Default<std::int64_t> fallback, std::int64_t low,
                       std::int64_t high);
  /// A whole number of milliseconds in [low, high], or `fallback` when unset.
  std::chrono::milliseconds Millis(std::string_view name, std::chrono::milliseconds fallback,
                                   std::chrono::milliseconds low, std::chrono::milliseconds high);
  /// A finite decimal number in [low, high], or `fallback` when unset.
  double Number(std::string_view name, double fallback, double low, double high);

  /// Records a problem found by a check across variables (e.g. a maximum below a base); the
  /// message must name the variable and must not carry a secret.
  void Fail(std::string message);

  /// Runs `check` (e.g. parsing a value into the object that uses it) and records the ConfigError
  /// it throws, whose message must name the variable and must not carry a secret.
  void Validate(const std::function<void()>& check);

  /// Throws ConfigError listing every problem found so far, when there is any.
  void Check() const;

  /// The problems found so far.
  const std::vector<std::string>& Errors() const { return errors_; }
  /// Every variable read so far, in reading order, each once.
  const std::vector<ConfigVariable>& Variables() const { return variables_; }

 private:
  /// The raw value, nullopt when unset or empty.
  std::optional<std::string> Raw(std::string_view name) const;
  void Register(std::string_view name, Secrecy secrecy, std::string documented_default,
                std::variant<std::string, std::int64_t, double> shown);
  /// "NAME must be ..., got 'value'" (the value left out for a secret).
  void Invalid(std::string_view name, Secrecy secrecy, std::string_view must,
               std::string_view value);

  EnvLookup lookup_;
  EnvNames names_;
  std::vector<ConfigVariable> variables_;
  std::vector<std::string> errors_;
};

/// Writes the one "configuration" log line: each variable's name and the value in use, masked.
void LogConfiguration(std::span<const ConfigVariable> variables);

// For test programs and benchmarks only (binaries read through EnvReader):

/// The value of a required variable. Throws ConfigError naming it when unset or empty.
std::string RequiredEnv(const char* name);

/// The value of a variable, or `fallback` when unset or empty.
std::string EnvOr(const char* name, std::string fallback);

/// An integer variable, or `fallback`. Throws ConfigError naming it when not a whole number.
std::int64_t EnvInt(const char* name, std::int64_t fallback);

/// A duration in milliseconds, or `fallback`. Throws ConfigError naming it when invalid.
std::chrono::milliseconds EnvMillis(const char* name, std::chrono::milliseconds fallback);

}  // namespace switchboard
