#include "workers/agent/tools.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <pqxx/pqxx>

#include "common/log.hpp"
#include "common/prepared.hpp"
#include "common/stage_runtime.hpp"
#include "common/tenant_scope.hpp"
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

/// Builds a tool result object; keys and values go through RapidJSON, so every string is
/// escaped.
class ResultJson final {
 public:
  ResultJson() : writer_(buffer_) { writer_.StartObject(); }

  ResultJson& Put(const char* key, std::string_view value) {
    writer_.Key(key);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }
  ResultJson& Put(const char* key, const char* value) { return Put(key, std::string_view(value)); }
  ResultJson& Put(const char* key, const std::string& value) {
    return Put(key, std::string_view(value));
  }
  ResultJson& Put(const char* key, const std::optional<std::string>& value) {
    if (value) return Put(key, std::string_view(*value));
    writer_.Key(key);
    writer_.Null();
    return *this;
  }
  ResultJson& Put(const char* key, std::int64_t value) {
    writer_.Key(key);
    writer_.Int64(value);
    return *this;
  }
  ResultJson& Put(const char* key, bool value) {
    writer_.Key(key);
    writer_.Bool(value);
    return *this;
  }
  /// Starts the array `key`; the caller writes its items and calls EndArray.
  ResultJson& StartArray(const char* key) {
    writer_.Key(key);
    writer_.StartArray();
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
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
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

std::optional<std::string> OptionalText(const pqxx::field& field) {
  return field.is_null() ? std::nullopt : std::optional<std::string>(field.as<std::string>());
}

/// One short transaction scoped to the tool's tenant.
class TenantTransaction final {
 public:
  TenantTransaction(db::ConnectionPool& pool, const ToolScope& scope)
      : lease_(pool.Acquire()), tx_(*lease_, scope.business_id) {}
  pqxx::transaction_base& operator*() { return tx_; }
  void Commit() { tx_.commit(); }

 private:
  db::ConnectionPool::Lease lease_;
  db::TenantWork tx_;
};

// ---- the tools ---------------------------------------------------------------------------

ToolResult CheckAvailability(db::ConnectionPool& pool, const ToolScope& scope,
                             std::string_view arguments_json) {
  auto arguments = ParseCheckAvailabilityArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  TenantTransaction tx(pool, scope);
  auto rules = LoadBookingRules(*tx, scope.business_id);
  if (!rules.ok()) return Misconfigured(scope, "check_availability", rules.error());
  std::optional<Service> service;
  if (arguments->service) {
    auto matched = MatchService(LoadActiveServices(*tx, scope.business_id), *arguments->service);
    if (!matched.ok()) return Refused(matched.error().message);
    service = *matched;
  }
  // Without a service, slots are the default half hour.
  const auto duration = service ? service->duration : std::chrono::minutes(30);
  auto day = FreeSlots(*tx, scope.business_id, *rules, arguments->date, duration, scope.now);
  if (!day.ok()) return Misconfigured(scope, "check_availability", day.error());
  tx.Commit();

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

/// One booking attempt in one transaction; nullopt when the insert lost a race with another
/// booking of an overlapping time (the caller looks again with fresh data).
std::optional<ToolResult> TryBooking(db::ConnectionPool& pool, const ToolScope& scope,
                                     const BookAppointmentArguments& arguments) {
  TenantTransaction tx(pool, scope);
  auto rules = LoadBookingRules(*tx, scope.business_id);
  if (!rules.ok()) return Misconfigured(scope, "book_appointment", rules.error());
  auto service = MatchService(LoadActiveServices(*tx, scope.business_id), arguments.service);
  if (!service.ok()) return Refused(service.error().message);
  const sys_seconds start = InstantOf(arguments.start, rules->zone);
  const std::chrono::year_month_day date(std::chrono::floor<days>(rules->zone.ToLocal(start)));

  // A repeated call (a redelivered record, or this customer on another channel) finds its own
  // booking and gets the same answer.
  if (auto existing = FindBookedAt(*tx, scope.business_id, scope.customer_id, service->id, start)) {
    tx.Commit();
    return Booked(*existing, rules->zone, true);
  }
  auto day = FreeSlots(*tx, scope.business_id, *rules, date, service->duration, scope.now);
  if (!day.ok()) return Misconfigured(scope, "book_appointment", day.error());
  if (!Contains(*day, start)) {
    auto open =
        FreeSlots(*tx, scope.business_id, *rules, date, service->duration, scope.now, false);
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
  const auto id = InsertAppointment(*tx, scope.business_id, scope.customer_id, *service, start);
  if (!id) return std::nullopt;
  if (arguments.name) {
    db::Exec(*tx, "UPDATE customers SET name = $3 WHERE business_id = $1::uuid AND id = $2::uuid",
             scope.business_id, scope.customer_id, *arguments.name);
  }
  tx.Commit();
  return Booked(
      Appointment{*id, service->id, service->name, start, start + service->duration, true},
      rules->zone, false);
}

ToolResult BookAppointment(db::ConnectionPool& pool, const ToolScope& scope,
                           std::string_view arguments_json) {
  auto arguments = ParseBookAppointmentArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  // After a lost race the next attempt normally sees the time taken and answers "taken"; it
  // inserts again only when the competitor was rolled back as well.
  for (int attempt = 0; attempt < kBookingAttempts; ++attempt) {
    if (auto result = TryBooking(pool, scope, *arguments)) return *std::move(result);
    Log(LogLevel::kInfo, "book_appointment: a concurrent booking of the same time won",
        {{"business_id", scope.business_id},
         {"conversation_id", scope.conversation_id},
         {"attempt", attempt + 1}});
  }
  throw RetryableError("book_appointment: lost every race for the requested time");
}

ToolResult CancelAppointmentTool(db::ConnectionPool& pool, const ToolScope& scope,
                                 std::string_view arguments_json) {
  auto arguments = ParseCancelAppointmentArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  TenantTransaction tx(pool, scope);
  auto rules = LoadBookingRules(*tx, scope.business_id);
  if (!rules.ok()) return Misconfigured(scope, "cancel_appointment", rules.error());
  std::optional<sys_seconds> start;
  if (arguments->start) start = InstantOf(*arguments->start, rules->zone);
  const auto found = FindOwnAppointments(*tx, scope.business_id, scope.customer_id,
                                         arguments->appointment_id, start);
  if (found.empty()) {
    return Refused(
        "not found: this customer has no appointment like that; get_customer_info "
        "lists their upcoming appointments");
  }
  const Appointment& appointment = found.front();
  if (appointment.booked && appointment.start <= scope.now) {
    return Refused("that appointment has already started or is over; it cannot be cancelled");
  }
  if (appointment.booked) {
    CancelAppointment(*tx, scope.business_id, scope.customer_id, appointment.id);
  }
  tx.Commit();
  ResultJson json;
  json.Put("status", "cancelled");
  PutAppointmentFields(json, appointment, rules->zone);
  // A repeated call finds the appointment cancelled already and answers the same.
  json.Put("already_cancelled", !appointment.booked);
  return Succeeded(json);
}

ToolResult GetServices(db::ConnectionPool& pool, const ToolScope& scope,
                       std::string_view arguments_json) {
  if (auto arguments = ParseNoArguments(arguments_json); !arguments.ok()) {
    return Refused(arguments.error().message);
  }
  TenantTransaction tx(pool, scope);
  const auto services = LoadActiveServices(*tx, scope.business_id);
  tx.Commit();
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

ToolResult GetPricing(db::ConnectionPool& pool, const ToolScope& scope,
                      std::string_view arguments_json) {
  auto arguments = ParseGetPricingArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  TenantTransaction tx(pool, scope);
  auto services = LoadActiveServices(*tx, scope.business_id);
  tx.Commit();
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

ToolResult SendToHuman(db::ConnectionPool& pool, const ToolScope& scope,
                       std::string_view arguments_json) {
  auto arguments = ParseSendToHumanArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  TenantTransaction tx(pool, scope);
  const pqxx::result rows =
      db::Exec(*tx,
               "UPDATE conversations SET status = 'HANDED_OFF', needs_human = true, "
               "metadata = metadata || CASE WHEN $4::text IS NULL THEN '{}'::jsonb "
               "ELSE jsonb_build_object('handoff_reason', $4::text) END "
               "WHERE business_id = $1::uuid AND id = $2::uuid AND customer_id = $3::uuid "
               "AND status <> 'CLOSED' RETURNING id",
               scope.business_id, scope.conversation_id, scope.customer_id, arguments->reason);
  tx.Commit();
  if (rows.empty()) {
    Log(LogLevel::kWarning, "send_to_human: conversation not open",
        {{"business_id", scope.business_id}, {"conversation_id", scope.conversation_id}});
    return Refused("this conversation is closed; it cannot be handed over");
  }
  ResultJson json;
  json.Put("status", "handed_off").Put("message", kHandoffMessage);
  return ToolResult{json.Finish(), true, true};
}

ToolResult GetCustomerInfo(db::ConnectionPool& pool, const ToolScope& scope,
                           std::string_view arguments_json) {
  if (auto arguments = ParseNoArguments(arguments_json); !arguments.ok()) {
    return Refused(arguments.error().message);
  }
  TenantTransaction tx(pool, scope);
  auto rules = LoadBookingRules(*tx, scope.business_id);
  if (!rules.ok()) return Misconfigured(scope, "get_customer_info", rules.error());
  const pqxx::result rows = db::Exec(
      *tx,
      "SELECT name, phone, email FROM customers WHERE business_id = $1::uuid AND id = $2::uuid",
      scope.business_id, scope.customer_id);
  if (rows.empty()) return Refused("not found: the customer record is missing");
  const auto upcoming = UpcomingAppointments(*tx, scope.business_id, scope.customer_id, scope.now);
  tx.Commit();
  ResultJson json;
  json.Put("name", OptionalText(rows[0][0]))
      .Put("phone", OptionalText(rows[0][1]))
      .Put("email", OptionalText(rows[0][2]))
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

ToolResult UpdateCustomerInfo(db::ConnectionPool& pool, const ToolScope& scope,
                              std::string_view arguments_json) {
  auto arguments = ParseUpdateCustomerInfoArguments(arguments_json);
  if (!arguments.ok()) return Refused(arguments.error().message);
  TenantTransaction tx(pool, scope);
  // The UPDATE locks the customer row, so two conversations of one customer write its lead one
  // after the other and never create two.
  const pqxx::result customer =
      db::Exec(*tx,
               "UPDATE customers SET name = coalesce($3, name), email = coalesce($4, email) "
               "WHERE business_id = $1::uuid AND id = $2::uuid RETURNING name, email, phone",
               scope.business_id, scope.customer_id, arguments->name, arguments->email);
  if (customer.empty()) return Refused("not found: the customer record is missing");
  const auto name = OptionalText(customer[0][0]);
  const auto email = OptionalText(customer[0][1]);
  const auto phone = OptionalText(customer[0][2]);
  const pqxx::result updated =
      db::Exec(*tx,
               "UPDATE leads SET name = $3, email = $4, phone = $5 WHERE id = "
               "(SELECT id FROM leads WHERE business_id = $1::uuid AND customer_id = $2::uuid "
               "ORDER BY created_at DESC LIMIT 1) RETURNING id",
               scope.business_id, scope.customer_id, name, email, phone);
  if (updated.empty()) {
    db::Exec(*tx,
             "INSERT INTO leads (business_id, customer_id, name, email, phone, source) "
             "VALUES ($1::uuid, $2::uuid, $3, $4, $5, 'agent')",
             scope.business_id, scope.customer_id, name, email, phone);
  }
  tx.Commit();
  ResultJson json;
  json.Put("status", "updated")
      .Put("name", name)
      .Put("email", email)
      .Put("lead", updated.empty() ? "created" : "updated");
  return Succeeded(json);
}

// ---- the table the definitions and the dispatch share ------------------------------------

struct Tool {
  const char* name;
  const char* description;
  const char* parameters;  // JSON Schema of the arguments object
  ToolResult (*run)(db::ConnectionPool&, const ToolScope&, std::string_view);
};

constexpr char kNoParameters[] =
    R"({"type":"object","properties":{},"additionalProperties":false})";

const std::array<Tool, 8> kTools = {{
    {"check_availability",
     "Lists the free appointment start times of one date in the business's local time. Call it "
     "before offering or booking a time; pass the service so the slots fit its duration. When "
     "there are no slots, status and message say why (closed, fully_booked, in_past, ...).",
     R"({"type":"object","properties":{)"
     R"("date":{"type":"string","description":"The local date, YYYY-MM-DD"},)"
     R"("service":{"type":"string","description":"Service name or id from get_services"}},)"
     R"("required":["date"],"additionalProperties":false})",
     CheckAvailability},
    {"book_appointment",
     "Books the current customer into a free start time from check_availability. Returns "
     "status booked with appointment_id, or taken with alternatives to offer instead.",
     R"({"type":"object","properties":{)"
     R"("service":{"type":"string","description":"Service name or id from get_services"},)"
     R"("start":{"type":"string","description":"Local start time YYYY-MM-DDTHH:MM, or the ISO )"
     R"(start of a slot from check_availability"},)"
     R"("name":{"type":"string","description":"The customer's name, if they gave it"}},)"
     R"("required":["service","start"],"additionalProperties":false})",
     BookAppointment},
    {"cancel_appointment",
     "Cancels one of the current customer's booked appointments, found by its id or its start "
     "time.",
     R"({"type":"object","properties":{)"
     R"("appointment_id":{"type":"string","description":"Id from get_customer_info"},)"
     R"("start":{"type":"string","description":"Local start time YYYY-MM-DDTHH:MM"}},)"
     R"("additionalProperties":false})",
     CancelAppointmentTool},
    {"get_services",
     "Lists the services the business offers with duration, price, currency and description.",
     kNoParameters, GetServices},
    {"get_pricing", "Gives the price of one service, or of all services when none is named.",
     R"({"type":"object","properties":{)"
     R"("service":{"type":"string","description":"Service name or id"}},)"
     R"("additionalProperties":false})",
     GetPricing},
    {"send_to_human",
     "Hands the conversation to a person on the business's team: use it when the customer asks "
     "for a human or you cannot help. No AI replies follow in this conversation.",
     R"({"type":"object","properties":{)"
     R"("reason":{"type":"string","description":"Why a person is needed, for the team"}},)"
     R"("additionalProperties":false})",
     SendToHuman},
    {"get_customer_info",
     "Gives the current customer's name, phone, email and upcoming appointments (local times).",
     kNoParameters, GetCustomerInfo},
    {"update_customer_info", "Saves the name and/or email address the customer gave.",
     R"({"type":"object","properties":{)"
     R"("name":{"type":"string","description":"The customer's name"},)"
     R"("email":{"type":"string","description":"The customer's email address"}},)"
     R"("additionalProperties":false})",
     UpdateCustomerInfo},
}};

std::string BuildDefinitions() {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  for (const Tool& tool : kTools) {
    writer.StartObject();
    writer.Key("type");
    writer.String("function");
    writer.Key("function");
    writer.StartObject();
    writer.Key("name");
    writer.String(tool.name);
    writer.Key("description");
    writer.String(tool.description);
    writer.Key("parameters");
    const std::string_view parameters = tool.parameters;
    writer.RawValue(parameters.data(), parameters.size(), rapidjson::kObjectType);
    writer.EndObject();
    writer.EndObject();
  }
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

const std::string& ToolDefinitionsJson() {
  static const std::string definitions = BuildDefinitions();
  return definitions;
}

ToolResult RunTool(db::ConnectionPool& pool, const ToolScope& scope, std::string_view name,
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
  return tool->run(pool, scope, arguments_json);
}

}  // namespace switchboard::agent
