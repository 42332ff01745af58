#include "workers/agent/tool_arguments.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/encoding.hpp"
#include "common/json.hpp"
#include "common/text_shapes.hpp"

namespace switchboard::agent {

namespace {

constexpr std::size_t kMaxServiceLength = 200;
constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kMaxReasonLength = 1000;
constexpr std::size_t kMaxEmailLength = 254;
constexpr std::size_t kMaxLocalPartLength = 64;

Error Invalid(std::string message) {
  return Error{std::move(message), false};
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

/// The arguments object of one tool call, read field by field.
class ArgumentObject final {
 public:
  static Result<ArgumentObject> Parse(std::string_view text) {
    if (Trim(text).empty()) {
      auto empty = std::make_shared<json::Document>();
      empty->SetObject();
      return ArgumentObject(std::move(empty));
    }
    auto parsed = json::Parse(text);
    if (!parsed.ok()) {
      return Invalid("the arguments are " + parsed.error().message + "; send one JSON object");
    }
    if (!parsed->IsObject()) return Invalid("arguments must be a JSON object");
    return ArgumentObject(std::make_shared<json::Document>(std::move(parsed).value()));
  }

  /// The trimmed string `name`, or nullopt when it is absent, null or blank; an error when it
  /// is not a string or longer than `max_length` bytes.
  Result<std::optional<std::string>> OptionalString(const char* name,
                                                    std::size_t max_length) const {
    const json::Value* member = json::Find(*document_, name);
    if (member == nullptr || member->IsNull()) return std::optional<std::string>();
    if (!member->IsString()) {
      return Invalid(std::string("'") + name + "' must be a string");
    }
    const std::string_view text = Trim(json::View(*member));
    if (text.empty()) return std::optional<std::string>();
    if (text.size() > max_length) {
      return Invalid(std::string("'") + name + "' is too long (at most " +
                     std::to_string(max_length) + " characters)");
    }
    // A lone surrogate escape decodes to bytes that are not UTF-8; the database refuses those.
    return std::optional<std::string>(ToValidUtf8(text));
  }

  /// Like OptionalString, but absent is an error that shows the model an example.
  Result<std::string> RequiredString(const char* name, std::size_t max_length,
                                     std::string_view example) const {
    auto text = OptionalString(name, max_length);
    if (!text.ok()) return text.error();
    if (!*text) {
      return Invalid(std::string("missing required field '") + name + "', e.g. \"" + name +
                     "\": \"" + std::string(example) + "\"");
    }
    return **text;
  }

 private:
  explicit ArgumentObject(std::shared_ptr<json::Document> document)
      : document_(std::move(document)) {}

  std::shared_ptr<json::Document> document_;
};

/// The value of a Result, or its error returned from the enclosing function.
#define SWITCHBOARD_TRY(target, expression)                  \
  auto target##_result = (expression);                       \
  if (!target##_result.ok()) return target##_result.error(); \
  auto target = std::move(target##_result).value()

}  // namespace

Result<CheckAvailabilityArguments> ParseCheckAvailabilityArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  SWITCHBOARD_TRY(date_text, object.RequiredString("date", 10, "2026-03-10"));
  SWITCHBOARD_TRY(date, ParseDate(date_text));
  SWITCHBOARD_TRY(service, object.OptionalString("service", kMaxServiceLength));
  return CheckAvailabilityArguments{date, std::move(service)};
}

Result<BookAppointmentArguments> ParseBookAppointmentArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  SWITCHBOARD_TRY(service, object.RequiredString("service", kMaxServiceLength, "Haircut"));
  SWITCHBOARD_TRY(start_text, object.RequiredString("start", 40, "2026-03-10T14:30"));
  SWITCHBOARD_TRY(start, ParseStartTime(start_text));
  SWITCHBOARD_TRY(name, object.OptionalString("name", kMaxNameLength));
  return BookAppointmentArguments{std::move(service), start, std::move(name)};
}

Result<CancelAppointmentArguments> ParseCancelAppointmentArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  SWITCHBOARD_TRY(id, object.OptionalString("appointment_id", 64));
  SWITCHBOARD_TRY(start_text, object.OptionalString("start", 40));
  if (!id && !start_text) {
    return Invalid("give 'appointment_id' (from get_customer_info) or 'start' of the appointment");
  }
  CancelAppointmentArguments arguments;
  if (id) {
    if (!LooksLikeUuid(*id)) {
      return Invalid(
          "'appointment_id' must be an appointment id as returned by "
          "get_customer_info or book_appointment");
    }
    std::transform(id->begin(), id->end(), id->begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    arguments.appointment_id = std::move(*id);
  }
  if (start_text) {
    SWITCHBOARD_TRY(start, ParseStartTime(*start_text));
    arguments.start = start;
  }
  return arguments;
}

Result<GetPricingArguments> ParseGetPricingArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  SWITCHBOARD_TRY(service, object.OptionalString("service", kMaxServiceLength));
  return GetPricingArguments{std::move(service)};
}

Result<SendToHumanArguments> ParseSendToHumanArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  SWITCHBOARD_TRY(reason, object.OptionalString("reason", kMaxReasonLength));
  return SendToHumanArguments{std::move(reason)};
}

Result<UpdateCustomerInfoArguments> ParseUpdateCustomerInfoArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  SWITCHBOARD_TRY(name, object.OptionalString("name", kMaxNameLength));
  SWITCHBOARD_TRY(email, object.OptionalString("email", kMaxEmailLength));
  if (!name && !email) return Invalid("give 'name' or 'email' (or both)");
  if (email && !LooksLikeEmail(*email)) {
    return Invalid("'" + *email + "' is not an email address, e.g. jane@example.com");
  }
  return UpdateCustomerInfoArguments{std::move(name), std::move(email)};
}

Result<bool> ParseNoArguments(std::string_view json) {
  SWITCHBOARD_TRY(object, ArgumentObject::Parse(json));
  return true;
}

bool LooksLikeEmail(std::string_view text) {
  if (text.empty() || text.size() > kMaxEmailLength) return false;
  const auto at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPartLength) return false;
  const auto bad_char = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' ||
           c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\';
  };
  if (std::any_of(text.begin(), text.end(), bad_char)) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  // The domain needs at least two labels, none empty, none starting or ending with '-'.
  if (domain.find('.') == std::string_view::npos) return false;
  std::size_t label_start = 0;
  while (label_start <= domain.size()) {
    const auto dot = std::min(domain.find('.', label_start), domain.size());
    const std::string_view label = domain.substr(label_start, dot - label_start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    label_start = dot + 1;
  }
  return true;
}

#undef SWITCHBOARD_TRY

}  // namespace switchboard::agent
