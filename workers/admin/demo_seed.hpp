#pragma once

#include <cstddef>
#include <pqxx/connection>
#include <span>
#include <string>
#include <string_view>

#include "common/token_cipher.hpp"

namespace switchboard::admin {

/// The demo tenant's business id: fixed, so every seeding updates the same tenant.
inline constexpr std::string_view kDemoBusinessId = "b51e5a11-de70-4000-8000-000000000001";
/// The id of its WhatsApp integration.
inline constexpr std::string_view kDemoIntegrationId = "b51e5a11-de70-4000-8000-000000000002";
/// The id of its Vapi voice integration.
inline constexpr std::string_view kDemoVoiceIntegrationId = "b51e5a11-de70-4000-8000-000000000003";

/// The channel account the demo tenant answers on.
struct DemoSeedOptions {
  /// The WhatsApp phone_number_id whose messages reach the demo tenant.
  std::string whatsapp_phone_number_id = "100000000000001";
  /// The Graph API access token the sender uses for it (stored encrypted).
  std::string whatsapp_access_token = "demo-token";
  /// The Vapi phone number id whose calls reach the demo tenant.
  std::string vapi_phone_number_id = "vapi-demo-phone-number";
};

/// A service the demo tenant offers.
struct DemoService {
  std::string_view name;
  int duration_minutes;
  long price_cents;
  std::string_view description;
};

/// A knowledge document of the demo tenant (markdown-ish, chunked by ChunkDocument).
struct DemoDocument {
  std::string_view title;
  std::string_view body;
};

/// What the demo tenant is made of, for programs that build a tenant like it (retrieval_bench).
struct DemoContent {
  std::string_view name;
  /// businesses.settings, .opening_hours (JSON), .timezone, .language, .address.
  std::string_view settings;
  std::string_view opening_hours;
  std::string_view timezone;
  std::string_view language;
  std::string_view address;
  std::span<const DemoService> services;
  std::span<const DemoDocument> documents;
};

/// The demo tenant's content (static data).
DemoContent DemoTenantContent();

/// What the demo tenant holds after seeding.
struct DemoSeedSummary {
  std::size_t services = 0;
  std::size_t documents = 0;
  std::size_t chunks = 0;
};

/// Creates the demo tenant "Bright Smile Dental" (Europe/Berlin, hours, settings, services,
/// knowledge documents chunked by ChunkDocument, a WhatsApp integration with its token encrypted
/// by `cipher`, a Vapi voice integration), or brings an existing one back to exactly that, in one
/// transaction on `owner` (the owner role: it writes across tenants). Running it again changes no
/// ids and adds no rows. Throws pqxx errors (e.g. unique_violation when another tenant has the
/// phone number id).
DemoSeedSummary SeedDemoTenant(pqxx::connection& owner, const TokenCipher& cipher,
                               const DemoSeedOptions& options);

}  // namespace switchboard::admin
