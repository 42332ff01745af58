#include "workers/admin/demo_seed.hpp"

#include <pqxx/pqxx>
#include <string>

#include "common/hmac.hpp"
#include "workers/admin/knowledge_store.hpp"

namespace switchboard::admin {
namespace {

constexpr std::string_view kSource = "demo-seed";

// What the receptionist knows about the clinic; the agent answers from these chunks when no LLM
// is configured, so each section opens with the sentence that answers its question best.
constexpr std::string_view kSettings =
    R"({"personality":"Warm, calm and brief, like a friendly dental receptionist. Never give a )"
    R"(medical diagnosis; offer an appointment instead.",)"
    R"("greeting":"Hi, this is Bright Smile Dental! How can we help you today?",)"
    R"("fallback_message":"Sorry, I cannot answer that right now. A member of our team will get )"
    R"(back to you shortly.",)"
    R"("limit_message":"We cannot answer more messages here this month. Please call us on )"
    R"(+49 30 1234567."})";

constexpr std::string_view kOpeningHours =
    R"({"monday":[{"open":"09:00","close":"17:00"}],"tuesday":[{"open":"09:00","close":"17:00"}],)"
    R"("wednesday":[{"open":"09:00","close":"17:00"}],)"
    R"("thursday":[{"open":"09:00","close":"17:00"}],"friday":[{"open":"09:00","close":"17:00"}],)"
    R"("saturday":[{"open":"10:00","close":"14:00"}],"sunday":[]})";

constexpr DemoService kServices[] = {
    {"Check-up", 30, 6000, "Examination of teeth and gums, with X-rays when needed."},
    {"Cleaning", 45, 9000, "Professional cleaning: tartar and stains removed, teeth polished."},
    {"Whitening", 60, 25000, "In-clinic whitening, up to eight shades lighter in one visit."},
};

// Paragraphs are single lines (adjacent literals), so a passage quoted in a chat reply has no
// line breaks in the middle of a sentence.
constexpr DemoDocument kDocuments[] = {
    {"Opening hours",
     "# Opening hours\n"
     "We are open Monday to Friday from 09:00 to 17:00 and on Saturday from 10:00 to 14:00. We "
     "are closed on Sundays and on Berlin public holidays.\n\n"
     "## Appointments\n"
     "You can book appointments up to 60 days ahead, here in the chat or by phone on "
     "+49 30 1234567. Please arrive five minutes early. If you cannot come, cancel at least 24 "
     "hours before your appointment so that another patient can have the slot.\n"},
    {"Prices and insurance",
     "# Prices and insurance\n"
     "## Prices\n"
     "A check-up (30 minutes) costs 60 EUR, a professional cleaning (45 minutes) 90 EUR and a "
     "whitening treatment (60 minutes) 250 EUR. Fillings and other treatments are priced after "
     "the check-up; we always tell you the cost before we start.\n\n"
     "## Insurance\n"
     "We accept statutory and private health insurance. Statutory insurance covers one check-up "
     "every six months; cleaning and whitening are usually paid privately, and many "
     "supplementary dental insurances refund them. You can pay by card or in cash.\n"},
    {"What to bring",
     "# What to bring\n"
     "Please bring your health insurance card, a photo ID, a list of the medicines you take and "
     "any X-rays or reports from a previous dentist. Patients under 18 need a parent or guardian "
     "with them at their first visit. If you are anxious about treatment, tell us when you book: "
     "we plan extra time for you.\n"},
    {"Parking and address",
     "# Parking and address\n"
     "## Parking\n"
     "You can park for free in our courtyard behind the building: drive in through the gate on "
     "Johannisstrasse and use the parking spaces marked \"Bright Smile\". When the courtyard is "
     "full, the public car park at Friedrichstrasse 130 is a two-minute walk away (about 3 EUR "
     "per hour). Bicycles can be parked at the racks by the entrance.\n\n"
     "## Address\n"
     "Bright Smile Dental, Friedrichstrasse 123, 10117 Berlin, second floor (there is a lift). "
     "The nearest station is Friedrichstrasse (S-Bahn and U6), three minutes on foot.\n"},
    {"Emergencies",
     "# Emergencies\n"
     "If you have severe toothache, a swollen face, bleeding that does not stop or a knocked-out "
     "tooth, call us on +49 30 1234567: we keep emergency slots free every day we are open. "
     "Outside our opening hours, call the Berlin dental emergency service on +49 30 89004333.\n\n"
     "A knocked-out tooth can often be saved: hold it by the crown, keep it moist in milk and "
     "come in within an hour.\n"},
};

// A structured fact (businesses.address): it becomes a searchable passage of its own.
constexpr std::string_view kAddress = "Friedrichstrasse 123, 10117 Berlin, second floor";

void UpsertBusiness(pqxx::work& tx) {
  tx.exec_params(
      "INSERT INTO businesses (id, name, slug, settings, timezone, opening_hours, "
      "  booking_horizon_days, buffer_minutes, monthly_message_limit, language, address) "
      "VALUES ($1, 'Bright Smile Dental', 'bright-smile-dental', $2::jsonb, 'Europe/Berlin', "
      "  $3::jsonb, 60, 10, 1000, 'en', $4) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, slug = excluded.slug, "
      "  settings = excluded.settings, timezone = excluded.timezone, "
      "  opening_hours = excluded.opening_hours, "
      "  booking_horizon_days = excluded.booking_horizon_days, "
      "  buffer_minutes = excluded.buffer_minutes, "
      "  monthly_message_limit = excluded.monthly_message_limit, language = excluded.language, "
      "  address = excluded.address",
      std::string(kDemoBusinessId), std::string(kSettings), std::string(kOpeningHours),
      std::string(kAddress));
}

void UpsertServices(pqxx::work& tx) {
  for (const DemoService& service : kServices) {
    tx.exec_params(
        "INSERT INTO services (id, business_id, name, duration_minutes, price_cents, currency, "
        "  description) VALUES ($1, $2, $3, $4, $5, 'EUR', $6) "
        "ON CONFLICT (business_id, name) DO UPDATE SET "
        "  duration_minutes = excluded.duration_minutes, price_cents = excluded.price_cents, "
        "  currency = excluded.currency, description = excluded.description, active = true",
        EventIdFor({kSource, "service", service.name}), std::string(kDemoBusinessId),
        std::string(service.name), service.duration_minutes, service.price_cents,
        std::string(service.description));
  }
}

/// Upserts the document and its chunks by ordinal; drops ordinals the document no longer has.
std::size_t UpsertDocument(pqxx::work& tx, const DemoDocument& document) {
  const std::string item_id = EventIdFor({kSource, "knowledge", document.title});
  tx.exec_params(
      "INSERT INTO knowledge_items (id, business_id, title, body, source) "
      "VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, "
      "  source = excluded.source",
      item_id, std::string(kDemoBusinessId), std::string(document.title),
      std::string(document.body), std::string(kSource));
  return WriteKnowledgeChunks(tx, std::string(kDemoBusinessId), item_id,
                              std::string(document.body));
}

void UpsertIntegration(pqxx::work& tx, const TokenCipher& cipher, const DemoSeedOptions& options) {
  const std::string token = cipher.Encrypt(options.whatsapp_access_token);
  tx.exec_params(
      "INSERT INTO integrations (id, business_id, type, platform_id, access_token_ciphertext, "
      "  token_key_id) VALUES ($1, $2, 'whatsapp', $3, $4, $5) "
      "ON CONFLICT (id) DO UPDATE SET platform_id = excluded.platform_id, "
      "  access_token_ciphertext = excluded.access_token_ciphertext, "
      "  token_key_id = excluded.token_key_id, active = true, updated_at = now()",
      std::string(kDemoIntegrationId), std::string(kDemoBusinessId),
      options.whatsapp_phone_number_id, pqxx::binarystring(token.data(), token.size()),
      cipher.CurrentKeyId());
}

void UpsertVoiceIntegration(pqxx::work& tx, const DemoSeedOptions& options) {
  tx.exec_params(
      "INSERT INTO voice_integrations (id, business_id, phone_number_id, first_message, voice) "
      "VALUES ($1, $2, $3, $4, '{}') "
      "ON CONFLICT (id) DO UPDATE SET phone_number_id = excluded.phone_number_id, "
      "  first_message = excluded.first_message, voice = excluded.voice, active = true, "
      "  updated_at = now()",
      std::string(kDemoVoiceIntegrationId), std::string(kDemoBusinessId),
      options.vapi_phone_number_id,
      "Hello, you are speaking with the assistant of Bright Smile Dental. How can I help you?");
}

}  // namespace

DemoContent DemoTenantContent() {
  return {"Bright Smile Dental",
          kSettings,
          kOpeningHours,
          "Europe/Berlin",
          "en",
          kAddress,
          kServices,
          kDocuments};
}

DemoSeedSummary SeedDemoTenant(pqxx::connection& owner, const TokenCipher& cipher,
                               const DemoSeedOptions& options) {
  pqxx::work tx(owner);
  DemoSeedSummary summary;
  UpsertBusiness(tx);
  UpsertServices(tx);
  summary.services = std::size(kServices);
  for (const DemoDocument& document : kDocuments) summary.chunks += UpsertDocument(tx, document);
  summary.documents = std::size(kDocuments);
  UpsertIntegration(tx, cipher, options);
  UpsertVoiceIntegration(tx, options);
  tx.commit();
  return summary;
}

}  // namespace switchboard::admin
