#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "workers/agent/wall_clock.hpp"

namespace switchboard::agent {

// The model's tool arguments, checked before anything touches the database. Each parser takes
// the raw `arguments` JSON text of a tool call and returns the typed arguments, or an Error whose
// message tells the model what to fix. An empty text counts as {}; null counts as absent, and so
// does an empty or blank optional string; fields the tool does not know are ignored.

/// check_availability {date: "YYYY-MM-DD", service?: name or id}.
struct CheckAvailabilityArguments {
  std::chrono::year_month_day date;
  std::optional<std::string> service;
};
/// Parses check_availability's arguments.
Result<CheckAvailabilityArguments> ParseCheckAvailabilityArguments(std::string_view json);

/// book_appointment {service, start, name?}.
struct BookAppointmentArguments {
  std::string service;
  StartTime start;
  std::optional<std::string> name;
};
/// Parses book_appointment's arguments.
Result<BookAppointmentArguments> ParseBookAppointmentArguments(std::string_view json);

/// cancel_appointment {appointment_id?, start?}: at least one of them.
struct CancelAppointmentArguments {
  std::optional<std::string> appointment_id;  // a UUID, lower-cased
  std::optional<StartTime> start;
};
/// Parses cancel_appointment's arguments.
Result<CancelAppointmentArguments> ParseCancelAppointmentArguments(std::string_view json);

/// get_pricing {service?}.
struct GetPricingArguments {
  std::optional<std::string> service;
};
/// Parses get_pricing's arguments.
Result<GetPricingArguments> ParseGetPricingArguments(std::string_view json);

/// send_to_human {reason?}.
struct SendToHumanArguments {
  std::optional<std::string> reason;
};
/// Parses send_to_human's arguments.
Result<SendToHumanArguments> ParseSendToHumanArguments(std::string_view json);

/// update_customer_info {name?, email?}: at least one of them.
struct UpdateCustomerInfoArguments {
  std::optional<std::string> name;
  std::optional<std::string> email;
};
/// Parses update_customer_info's arguments; the email must look like an address.
Result<UpdateCustomerInfoArguments> ParseUpdateCustomerInfoArguments(std::string_view json);

/// Checks that a tool without parameters (get_services, get_customer_info) got an object or
/// nothing.
Result<bool> ParseNoArguments(std::string_view json);

/// Whether `text` has the shape of an email address: one '@', a non-empty local part, a domain
/// with a dot and no empty labels, no spaces or control characters, at most 254 bytes.
bool LooksLikeEmail(std::string_view text);

}  // namespace switchboard::agent
