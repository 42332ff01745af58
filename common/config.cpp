#include "common/config.hpp"

#include <unistd.h>  // environ
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/log.hpp"

namespace switchboard {
namespace {

constexpr std::string_view kMask = "***";

bool ContainsPassword(std::string_view text) {
  constexpr std::string_view kWord = "password";
  const auto found =
      std::search(text.begin(), text.end(), kWord.begin(), kWord.end(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return found != text.end();
}

/// `url` with the password of its user info and every `...password=` query parameter masked.
std::string MaskUrlPassword(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  // A keyword/value connection string ("host=... password=..."): all or nothing.
  if (scheme_end == std::string_view::npos) {
    return ContainsPassword(url) ? std::string(kMask) : std::string(url);
  }
  const std::size_t authority_begin = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority_begin), url.size());
  const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
  // An '@' after the authority means a password with an unescaped '/', '?' or '#': where it
  // ends is unknowable, so show nothing.
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos && url.find('@', authority_end) != std::string_view::npos) {
    return std::string(kMask);
  }
  std::string masked(url.substr(0, authority_begin));
  if (at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    const std::size_t colon = user_info.find(':');
    masked += user_info.substr(0, colon);
    if (colon != std::string_view::npos) masked += ":" + std::string(kMask);
    masked += authority.substr(at);
  } else {
    masked += authority;
  }
  const std::size_t query = url.find('?', authority_end);
  masked += url.substr(authority_end, query == std::string_view::npos ? std::string_view::npos
                                                                      : query - authority_end);
  if (query == std::string_view::npos) return masked;
  std::size_t start = query + 1;
  masked += '?';
  while (start <= url.size()) {
    const std::size_t end = std::min(url.find_first_of("&#", start), url.size());
    const std::string_view parameter = url.substr(start, end - start);
    const std::size_t equals = parameter.find('=');
    if (equals != std::string_view::npos && ContainsPassword(parameter.substr(0, equals))) {
      masked += std::string(parameter.substr(0, equals + 1)) + std::string(kMask);
    } else {
      masked += parameter;
    }
    if (end >= url.size()) break;
    masked += url[end];
    if (url[end] == '#') {
      masked += url.substr(end + 1);
      break;
    }
    start = end + 1;
  }
  return masked;
}

std::string Quoted(std::string_view value) {
  return "'" + std::string(value) + "'";
}

std::string Shortest(double value) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return ec == std::errc() ? std::string(text, end) : std::to_string(value);
}

}  // namespace

std::string MaskSecret(std::string_view value, Secrecy secrecy) {
  switch (secrecy) {
    case Secrecy::kPublic:
      return std::string(value);
    case Secrecy::kSecret:
      return value.empty() ? std::string() : std::string(kMask);
    case Secrecy::kPasswordInUrl:
      return MaskUrlPassword(value);
  }
  return std::string(kMask);
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

EnvNames ProcessEnvironmentNames() {
  return [] {
    std::vector<std::string> names;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      names.emplace_back(text.substr(0, text.find('=')));
    }
    return names;
  };
}

EnvReader::EnvReader() : EnvReader(ProcessEnvironment(), ProcessEnvironmentNames()) {}

EnvReader::EnvReader(EnvLookup lookup, EnvNames names)
    : lookup_(std::move(lookup)), names_(std::move(names)) {}

std::vector<std::string> EnvReader::NamesStartingWith(std::string_view prefix) const {
  std::vector<std::string> found;
  if (!names_) return found;
  for (std::string& name : names_()) {
    if (name.starts_with(prefix)) found.push_back(std::move(name));
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

std::optional<std::string> EnvReader::Raw(std::string_view name) const {
  std::optional<std::string> value = lookup_(std::string(name));
  if (value && value->empty()) value.reset();
  return value;
}

void EnvReader::Register(std::string_view name, Secrecy secrecy, std::string documented_default,
                         std::variant<std::string, std::int64_t, double> shown) {
  const auto same = [name](const ConfigVariable& v) { return v.name == name; };
  if (std::any_of(variables_.begin(), variables_.end(), same)) return;
  variables_.push_back(
      {std::string(name), secrecy, std::move(documented_default), std::move(shown)});
}

void EnvReader::Invalid(std::string_view name, Secrecy secrecy, std::string_view must,
                        std::string_view value) {
  std::string message = std::string(name) + " must be " + std::string(must);
  message += secrecy == Secrecy::kPublic ? ", got " + Quoted(value) : " (value not shown)";
  errors_.push_back(std::move(message));
}

std::string EnvReader::String(std::string_view name, Default<std::string> fallback,
                              Secrecy secrecy) {
  std::string value = Raw(name).value_or(fallback.value);
  std::string documented = !fallback.described.empty() ? fallback.described
                           : fallback.value.empty()    ? "empty"
                                                       : fallback.value;
  Register(name, secrecy, std::move(documented), MaskSecret(value, secrecy));
  return value;
}

std::string EnvReader::Required(std::string_view name, Secrecy secrecy) {
  std::optional<std::string> value = Raw(name);
  if (!value) errors_.push_back("missing required environment variable " + std::string(name));
  Register(name, secrecy, "required", MaskSecret(value.value_or(""), secrecy));
  return value.value_or("");
}

std::optional<std::string> EnvReader::Optional(std::string_view name, Secrecy secrecy) {
  std::optional<std::string> value = Raw(name);
  Register(name, secrecy, "unset", MaskSecret(value.value_or(""), secrecy));
  return value;
}

std::string EnvReader::OneOf(std::string_view name, std::string fallback,
                             std::initializer_list<std::string_view> choices) {
  std::string value = Raw(name).value_or(fallback);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    std::string allowed;
    for (const std::string_view choice : choices) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(choice);
    }
    Invalid(name, Secrecy::kPublic, "one of " + allowed, value);
    value = fallback;
  }
  Register(name, Secrecy::kPublic, fallback, value);
  return value;
}

std::int64_t EnvReader::Integer(std::string_view name, Default<std::int64_t> fallback,
                                std::int64_t low, std::int64_t high) {
  std::int64_t value = fallback.value;
  if (const std::optional<std::string> text = Raw(name)) {
    std::int64_t parsed = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
    if (ec != std::errc() || end != text->data() + text->size() || parsed < low || parsed > high) {
      Invalid(name, Secrecy::kPublic,
              "a whole number from " + std::to_string(low) + " to " + std::to_string(high), *text);
    } else {
      value = parsed;
    }
  }
  Register(name, Secrecy::kPublic,
           fallback.described.empty() ? std::to_string(fallback.value) : fallback.described, value);
  return value;
}

std::chrono::milliseconds EnvReader::Millis(std::string_view name,
                                            std::chrono::milliseconds fallback,
                                            std::chrono::milliseconds low,
                                            std::chrono::milliseconds high) {
  return std::chrono::milliseconds(Integer(name, fallback.count(), low.count(), high.count()));
}

double EnvReader::Number(std::string_view name, double fallback, double low, double high) {
  double value = fallback;
  if (const std::optional<std::string> text = Raw(name)) {
    double parsed = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
    if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(parsed) ||
        parsed < low || parsed > high) {
      Invalid(name, Secrecy::kPublic, "a number from " + Shortest(low) + " to " + Shortest(high),
              *text);
    } else {
      value = parsed;
    }
  }
  Register(name, Secrecy::kPublic, Shortest(fallback), value);
  return value;
}

void EnvReader::Fail(std::string message) {
  errors_.push_back(std::move(message));
}

void EnvReader::Validate(const std::function<void()>& check) {
  try {
    check();
  } catch (const ConfigError& e) {
    errors_.emplace_back(e.what());
  }
}

void EnvReader::Check() const {
  if (errors_.empty()) return;
  std::string message;
  for (const std::string& error : errors_) message += (message.empty() ? "" : "; ") + error;
  throw ConfigError(message);
}

void LogConfiguration(std::span<const ConfigVariable> variables) {
  std::vector<LogField> fields;
  fields.reserve(variables.size());
  for (const ConfigVariable& variable : variables) {
    std::visit([&](const auto& value) { fields.emplace_back(variable.name, value); },
               variable.shown);
  }
  Log(LogLevel::kInfo, "configuration", fields);
}

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw ConfigError(std::string("missing required environment variable ") + name);
  }
  return value;
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? std::move(fallback) : std::string(value);
}

std::int64_t EnvInt(const char* name, std::int64_t fallback) {
  const std::string text = EnvOr(name, "");
  if (text.empty()) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ConfigError(std::string("environment variable ") + name +
                      " must be a whole number, got '" + text + "'");
  }
  return value;
}

std::chrono::milliseconds EnvMillis(const char* name, std::chrono::milliseconds fallback) {
  const std::int64_t value = EnvInt(name, fallback.count());
  if (value < 0) {
    throw ConfigError(std::string("environment variable ") + name + " must not be negative");
  }
  return std::chrono::milliseconds(value);
}

}  // namespace switchboard
