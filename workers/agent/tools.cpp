#include "workers/agent/tools.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>

#include "common/json.hpp"
#include "common/log.hpp"
#include "common/stage_runtime.hpp"
#include "common/text_shapes.hpp"
#include "workers/agent/booking.hpp"
#include "workers/agent/tool_arguments.hpp"
#include "workers/agent/wall_clock.hpp"

namespace switchboard::agent {

namespace {

using std::chrono::days;
using std::chrono::sys_seconds;

constexpr std::size_t kMaxAlternatives = 5;
constexpr int kBookingAttempts = 3;

constexpr char kHandoffMessage[] =
    "I have passed your conversation to our team; a person will reply here as soon as possible.";

/// Builds a tool result object through json::Writer, so every string is escaped and valid UTF-8.
/// Unlike json::Writer::Field, an absent optional is written as null: the model sees the key.
class ResultJson final {
 public:
  ResultJson() { writer_.StartObject(); }

  ResultJson& Put(const char* key, std::string_view value) {
    writer_.Field(key, value);
    return *this;
  }
  ResultJson& Put(const char* key, const char* value) { return Put(key, std::string_view(value)); }
  ResultJson& Put(const char* key, const std::string& value) {
    return Put(key, std::string_view(value));
  }
  ResultJson& Put(const char* key, const std::optional<std::string>& value) {
    if (value) return Put(key, std::string_view(*value));
    writer_.Key(key).Null();
    return *this;
  }
  ResultJson& Put(const char* key, std::int64_t value) {
    writer_.Field(key, value);
    return *this;
  }
  ResultJson& Put(const char* key, bool value) {
    writer_.Field(key, value);
    return *this;
  }
  /// Starts the array `key`; the caller writes its items and calls EndArray.
  ResultJson& StartArray(const char* key) {
    writer_.Key(key).StartArray();
    return *this;
  }
  ResultJson& EndArray() {
    writer_.EndArray();
    return *this;
  }
  ResultJson& StartObject() {
    writer_.StartObject();
    return *this;
  }
  ResultJson& EndObject() {
    writer_.EndObject();
    return *this;
  }

  std::string Finish() {
    writer_.EndObject();
    return writer_.Take();
  }

 private:
  json::Writer writer_;
};

ToolResult Succeeded(ResultJson& json) {
  return ToolResult{json.Finish(), true, false};
}

ToolResult Refused(ResultJson& json) {
  return ToolResult{json.Finish(), false, false};
}

/// ok=false with {"error": message}: what the model has to fix or tell the customer.
ToolResult Refused(std::string_view message) {
  ResultJson json;
  json.Put("error", message);
  return Refused(json);
}

/// The business's booking setup is broken (timezone, hours): nothing the model can fix, so it
/// is logged for the operators and the model is pointed at a person.
ToolResult Misconfigured(const ToolScope& scope, std::string_view tool, const Error& error) {
  Log(LogLevel::kWarning, "tool cannot run: business configuration",
      {{"business_id", scope.business_id},
       {"conversation_id", scope.conversation_id},
       {"tool", tool},
       {"error", error.message}});
  return Refused(
      "booking is unavailable right now (the business's settings are incomplete); "
      "apologise and offer to hand over to a person with send_to_human");
}

std::string PriceText(std::int64_t cents) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return text;
}

void PutSlot(ResultJson& json, const Slot& slot, const TimeZone& zone) {
  json.StartObject()
      .Put("time", FormatClock(slot.local_start))
      .Put("end_time", FormatClock(slot.local_end))
      .Put("start", FormatIsoInZone(slot.start, zone))
      .EndObject();
}

void PutAppointmentFields(ResultJson& json, const Appointment& appointment, const TimeZone& zone) {
  const auto local_start = zone.ToLocal(appointment.start);
  json.Put("appointment_id", appointment.id)
      .Put("service", appointment.service_name)
      .Put("date", FormatDate(local_start))
      .Put("time", FormatClock(local_start))
      .Put("end_time", FormatClock(zone.ToLocal(appointment.end)))
      .Put("start", FormatIsoInZone(appointment.start, zone));
}

/// What a day without free slots means, for the model to tell the customer.
std::string DayMessage(DayStatus status, const BookingRules& rules, sys_seconds now) {
  switch (status) {
    case DayStatus::kAvailable:
      return "";
    case DayStatus::kClosed:
      return "The business is closed on that day.";
    case DayStatus::kInPast:
      return "That date is in the past.";
    case DayStatus::kBeyondHorizon:
      return "Bookings open at most " + std::to_string(rules.horizon_days) + " days ahead (until " +
             FormatDate(rules.zone.ToLocal(now) + days(rules.horizon_days)) + ").";
    case DayStatus::kDayOver:
      return "There are no more start times today.";
    case DayStatus::kFullyBooked:
      return "That day is fully booked.";
    case DayStatus::kServiceTooLong:
      return "The service does not fit into the opening hours of that day.";
  }
  return "";
}

bool Contains(const DaySlots& day, sys_seconds start) {
  return std::any_of(day.slots.begin(), day.slots.end(),
                     [&](const Slot& slot) { return slot.start == start; });
}

/// Up to kMaxAlternatives free slots of the day: the next ones after `wanted`, else the last
/// ones before it.
std::vector<Slot> AlternativesTo(sys_seconds wanted, const DaySlots& day) {
  const auto after = std::find_if(day.slots.begin(), day.slots.end(),
                                  [&](const Slot& slot) { return slot.start > wanted; });
  if (after != day.slots.end()) {
    return {after, after + std::min<std::ptrdiff_t>(kMaxAlternatives, day.slots.end() - after)};
  }
  const auto count = std::min(kMaxAlternatives, day.slots.size());
  return {day.slots.end() - static_cast<std::ptrdiff_t>(count), day.slots.end()};
}

/// The free slots of local `date` for a service of `duration`, the bookings around it counted.
Result<DaySlots> FreeSlotsCounting(ToolWork& work, const BookingRules& rules,
                                   std::chrono::year_month_day date, std::chrono::minutes duration,
                                   sys_seconds now) {
  std::vector<BookedInterval> booked;
  if (date.ok()) booked = work.BookedDuring(BookingsAffecting(rules, date));
  return FreeSlots(rules, date, duration, now, std::move(booked));
}

// ---- the tools ---------------------------------------------------------------------------

ToolResult CheckAvailability(ToolStore& store, const ToolScope& scope,
                             std::string_view arguments_json) {
  auto arguments = ParseCheckAvailabilityArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  const auto work = store.Begin(scope);
  auto rules = work->Rules();
  if (!rules.ok()) return Misconfigured(scope, "check_availability", rules.error());
  std::optional<Service> service;
  if (arguments->service) {
    auto matched = MatchService(work->ActiveServices(), *arguments->service);
    if (!matched.ok()) return Refused(matched.error().message);
    service = *matched;
  }
  // Without a service, slots are the default half hour.
  const auto duration = service ? service->duration : std::chrono::minutes(30);
  auto day = FreeSlotsCounting(*work, *rules, arguments->date, duration, scope.now);
  if (!day.ok()) return Misconfigured(scope, "check_availability", day.error());
  work->Commit();

  ResultJson json;
  json.Put("date", FormatDate(std::chrono::local_days(arguments->date)))
      .Put("today", FormatDate(rules->zone.ToLocal(scope.now)))
      .Put("timezone", rules->zone.Name())
      .Put("service", service ? std::optional<std::string>(service->name) : std::nullopt)
      .Put("duration_minutes", static_cast<std::int64_t>(duration.count()))
      .Put("status", DayStatusName(day->status));
  if (day->status != DayStatus::kAvailable) {
    json.Put("message", DayMessage(day->status, *rules, scope.now));
  }
  json.StartArray("slots");
  for (const Slot& slot : day->slots) PutSlot(json, slot, rules->zone);
  json.EndArray();
  return Succeeded(json);
}

ToolResult Booked(const Appointment& appointment, const TimeZone& zone, bool existing) {
  ResultJson json;
  json.Put("status", "booked");
  PutAppointmentFields(json, appointment, zone);
  json.Put("timezone", zone.Name()).Put("already_booked", existing);
  return Succeeded(json);
}

ToolResult Taken(sys_seconds wanted, const DaySlots& day, const TimeZone& zone) {
  ResultJson json;
  json.Put("status", "taken")
      .Put("requested_start", FormatIsoInZone(wanted, zone))
      .Put("message", "That time is no longer free; offer the customer one of the alternatives.")
      .StartArray("alternatives");
  for (const Slot& slot : AlternativesTo(wanted, day)) PutSlot(json, slot, zone);
  json.EndArray();
  return Refused(json);
}

/// One booking attempt in one work; nullopt when the insert lost a race with another booking of
/// an overlapping time (the caller looks again with fresh data).
std::optional<ToolResult> TryBooking(ToolStore& store, const ToolScope& scope,
                                     const BookAppointmentArguments& arguments) {
  const auto work = store.Begin(scope);
  auto rules = work->Rules();
  if (!rules.ok()) return Misconfigured(scope, "book_appointment", rules.error());
  auto service = MatchService(work->ActiveServices(), arguments.service);
  if (!service.ok()) return Refused(service.error().message);
  const sys_seconds start = InstantOf(arguments.start, rules->zone);
  const std::chrono::year_month_day date(std::chrono::floor<days>(rules->zone.ToLocal(start)));

  // A repeated call (a redelivered record, or this customer on another channel) finds its own
  // booking and gets the same answer.
  if (auto existing = work->FindBookedAt(service->id, start)) {
    work->Commit();
    return Booked(*existing, rules->zone, true);
  }
  auto day = FreeSlotsCounting(*work, *rules, date, service->duration, scope.now);
  if (!day.ok()) return Misconfigured(scope, "book_appointment", day.error());
  if (!Contains(*day, start)) {
    // A start of the empty day is a real slot that someone else holds: offer alternatives.
    auto open = FreeSlots(*rules, date, service->duration, scope.now);
    if (open.ok() && Contains(*open, start)) return Taken(start, *day, rules->zone);
    ResultJson json;
    json.Put("error", FormatIsoInZone(start, rules->zone) + " is not a bookable start for " +
                          service->name + " (" + std::string(DayStatusName(day->status)) +
                          "); pick one of the available start times")
        .Put("status", DayStatusName(day->status))
        .StartArray("available");
    for (const Slot& slot : day->slots) PutSlot(json, slot, rules->zone);
    json.EndArray();
    return Refused(json);
  }
  const auto id = work->InsertAppointment(*service, start);
  if (!id) return std::nullopt;
  if (arguments.name) work->UpdateCustomer(arguments.name, std::nullopt);
  work->Commit();
  return Booked(
      Appointment{*id, service->id, service->name, start, start + service->duration, true},
      rules->zone, false);
}

ToolResult BookAppointment(ToolStore& store, const ToolScope& scope,
                           std::string_view arguments_json) {
  auto arguments = ParseBookAppointmentArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  // After a lost race the next attempt normally sees the time taken and answers "taken"; it
  // inserts again only when the competitor was rolled back as well.
  for (int attempt = 0; attempt < kBookingAttempts; ++attempt) {
    if (auto result = TryBooking(store, scope, *arguments)) return *std::move(result);
    Log(LogLevel::kInfo, "book_appointment: a concurrent booking of the same time won",
        {{"business_id", scope.business_id},
         {"conversation_id", scope.conversation_id},
         {"attempt", attempt + 1}});
  }
  throw RetryableError("book_appointment: lost every race for the requested time");
}

ToolResult CancelAppointmentTool(ToolStore& store, const ToolScope& scope,
                                 std::string_view arguments_json) {
  auto arguments = ParseCancelAppointmentArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  const auto work = store.Begin(scope);
  auto rules = work->Rules();
  if (!rules.ok()) return Misconfigured(scope, "cancel_appointment", rules.error());
  std::optional<sys_seconds> start;
  if (arguments->start) start = InstantOf(*arguments->start, rules->zone);
  const auto found = work->FindOwnAppointments(arguments->appointment_id, start);
  if (found.empty()) {
    return Refused(
        "not found: this customer has no appointment like that; get_customer_info "
        "lists their upcoming appointments");
  }
  const Appointment& appointment = found.front();
  if (appointment.booked && appointment.start <= scope.now) {
    return Refused("that appointment has already started or is over; it cannot be cancelled");
  }
  if (appointment.booked) work->CancelAppointment(appointment.id);
  work->Commit();
  ResultJson json;
  json.Put("status", "cancelled");
  PutAppointmentFields(json, appointment, rules->zone);
  // A repeated call finds the appointment cancelled already and answers the same.
  json.Put("already_cancelled", !appointment.booked);
  return Succeeded(json);
}

ToolResult GetServices(ToolStore& store, const ToolScope& scope, std::string_view arguments_json) {
  if (auto arguments = ParseNoArguments(arguments_json); !arguments.ok()) {
    return Refused(arguments.error().message);
  }
  const auto work = store.Begin(scope);
  const auto services = work->ActiveServices();
  work->Commit();
  ResultJson json;
  json.StartArray("services");
  for (const Service& service : services) {
    json.StartObject()
        .Put("id", service.id)
        .Put("name", service.name)
        .Put("duration_minutes", static_cast<std::int64_t>(service.duration.count()))
        .Put("price", PriceText(service.price_cents))
        .Put("price_cents", service.price_cents)
        .Put("currency", service.currency)
        .Put("description", service.description)
        .EndObject();
  }
  json.EndArray();
  return Succeeded(json);
}

ToolResult GetPricing(ToolStore& store, const ToolScope& scope, std::string_view arguments_json) {
  auto arguments = ParseGetPricingArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  const auto work = store.Begin(scope);
  auto services = work->ActiveServices();
  work->Commit();
  if (arguments->service) {
    auto matched = MatchService(services, *arguments->service);
    if (!matched.ok()) return Refused(matched.error().message);
    services = {*matched};
  }
  ResultJson json;
  json.StartArray("prices");
  for (const Service& service : services) {
    json.StartObject()
        .Put("service", service.name)
        .Put("price", PriceText(service.price_cents))
        .Put("price_cents", service.price_cents)
        .Put("currency", service.currency)
        .Put("duration_minutes", static_cast<std::int64_t>(service.duration.count()))
        .EndObject();
  }
  json.EndArray();
  return Succeeded(json);
}

ToolResult SendToHuman(ToolStore& store, const ToolScope& scope, std::string_view arguments_json) {
  auto arguments = ParseSendToHumanArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  const auto work = store.Begin(scope);
  const bool handed_off = work->HandOff(arguments->reason);
  work->Commit();
  if (!handed_off) {
    Log(LogLevel::kWarning, "send_to_human: conversation not open",
        {{"business_id", scope.business_id}, {"conversation_id", scope.conversation_id}});
    return Refused("this conversation is closed; it cannot be handed over");
  }
  ResultJson json;
  json.Put("status", "handed_off").Put("message", kHandoffMessage);
  return ToolResult{json.Finish(), true, true, std::string(kHandoffMessage)};
}

ToolResult GetCustomerInfo(ToolStore& store, const ToolScope& scope,
                           std::string_view arguments_json) {
  if (auto arguments = ParseNoArguments(arguments_json); !arguments.ok()) {
    return Refused(arguments.error().message);
  }
  const auto work = store.Begin(scope);
  auto rules = work->Rules();
  if (!rules.ok()) return Misconfigured(scope, "get_customer_info", rules.error());
  const auto customer = work->Customer();
  if (!customer) return Refused("not found: the customer record is missing");
  const auto upcoming = work->UpcomingAppointments(scope.now);
  work->Commit();
  ResultJson json;
  json.Put("name", customer->name)
      .Put("phone", customer->phone)
      .Put("email", customer->email)
      .Put("timezone", rules->zone.Name())
      .StartArray("upcoming_appointments");
  for (const Appointment& appointment : upcoming) {
    json.StartObject();
    PutAppointmentFields(json, appointment, rules->zone);
    json.EndObject();
  }
  json.EndArray();
  return Succeeded(json);
}

ToolResult UpdateCustomerInfo(ToolStore& store, const ToolScope& scope,
                              std::string_view arguments_json) {
  auto arguments = ParseUpdateCustomerInfoArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  const auto work = store.Begin(scope);
  // The update locks the customer row, so two conversations of one customer write its lead one
  // after the other and never create two.
  const auto contact = work->UpdateCustomer(arguments->name, arguments->email);
  if (!contact) return Refused("not found: the customer record is missing");
  const LeadChange lead = work->SaveLead(*contact);
  work->Commit();
  ResultJson json;
  json.Put("status", "updated")
      .Put("name", contact->name)
      .Put("email", contact->email)
      .Put("lead", lead == LeadChange::kUpdated ? "updated" : "created");
  return Succeeded(json);
}

// ---- the dispatch (names, descriptions and schemas: common/tool_definitions) ------------

struct Tool {
  std::string_view name;
  ToolResult (*run)(ToolStore&, const ToolScope&, std::string_view);
};

const std::array<Tool, 8> kTools = {{
    {"check_availability", CheckAvailability},
    {"book_appointment", BookAppointment},
    {"cancel_appointment", CancelAppointmentTool},
    {"get_services", GetServices},
    {"get_pricing", GetPricing},
    {"send_to_human", SendToHuman},
    {"get_customer_info", GetCustomerInfo},
    {"update_customer_info", UpdateCustomerInfo},
}};

}  // namespace

ToolResult RunTool(ToolStore& store, const ToolScope& scope, std::string_view name,
                   std::string_view arguments_json) {
  const auto tool = std::find_if(kTools.begin(), kTools.end(),
                                 [&](const Tool& candidate) { return name == candidate.name; });
  if (tool == kTools.end()) {
    std::string names;
    for (const Tool& known : kTools) names += (names.empty() ? "" : ", ") + std::string(known.name);
    return Refused("unknown tool '" + std::string(name) + "'; the tools are: " + names);
  }
  // Ids in the scope come from stored rows, never from the model; a malformed one is a bug.
  if (!LooksLikeUuid(scope.business_id) || !LooksLikeUuid(scope.customer_id) ||
      !LooksLikeUuid(scope.conversation_id)) {
    Log(LogLevel::kError, "tool scope has malformed ids",
        {{"business_id", scope.business_id},
         {"customer_id", scope.customer_id},
         {"conversation_id", scope.conversation_id},
         {"tool", name}});
    return Refused("this tool cannot run for this conversation; apologise to the customer");
  }
  return tool->run(store, scope, arguments_json);
}

ToolResult RunTool(db::ConnectionPool& pool, const ToolScope& scope, std::string_view name,
                   std::string_view arguments_json) {
  PostgresToolStore store(pool);
  return RunTool(store, scope, name, arguments_json);
}

}  // namespace switchboard::agent
