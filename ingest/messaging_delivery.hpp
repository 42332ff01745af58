#pragma once

#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "common/kafka_record.hpp"
#include "ingest/meta_webhook.hpp"

namespace switchboard::ingest {

/// Splits a Messenger (object "page", `channel` "messenger") or Instagram (object "instagram",
/// `channel` "instagram") delivery, parsed as `root`, into records, in delivery order: from each
/// entry's messaging[] and standby[] events, messages (echoes of our own skipped), reactions and
/// postbacks go to messages.inbound; delivery and read events to delivery.status (one record per
/// mid, or one for the watermark when there are none). Other events (optins, referrals,
/// handovers, edits) are skipped. Throws ShapeError (ingest/meta_shape.hpp) on a shape it does
/// not know.
std::vector<OutboundRecord> SplitMessagingDelivery(const json::Value& root,
                                                   std::string_view channel,
                                                   const DeliveryContext& context);

}  // namespace switchboard::ingest
