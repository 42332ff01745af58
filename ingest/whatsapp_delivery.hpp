#pragma once

#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "common/kafka_record.hpp"
#include "ingest/meta_webhook.hpp"

namespace switchboard::ingest {

/// Splits a WhatsApp Cloud API delivery (object "whatsapp_business_account", parsed as `root`)
/// into records, in delivery order: one messages.inbound record per message of every type
/// (unknown types as "unsupported"), one delivery.status record per status, and one
/// delivery.status record with status "error" per value with system-level errors[] (not tied to
/// a message, keyed by the phone number alone: they matter to operators, e.g. the number was
/// restricted, next to the statuses of the same number). Changes of other fields (template
/// status, account updates, ...) are skipped. `raw_body` tells system errors apart, as they have
/// no id of their own. Throws ShapeError (ingest/meta_shape.hpp) on a shape it does not know.
std::vector<OutboundRecord> SplitWhatsAppDelivery(const json::Value& root,
                                                  std::string_view raw_body,
                                                  const DeliveryContext& context);

}  // namespace switchboard::ingest
