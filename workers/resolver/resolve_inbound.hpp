#pragma once

#include "common/db_pool.hpp"
#include "common/kafka_record.hpp"
#include "common/stage_runtime.hpp"
#include "workers/resolver/resolver_store.hpp"

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace switchboard {
class KafkaProducer;
}

namespace switchboard::resolver {

/// The messages.inbound handler: decodes the message (topics::MessagesInbound), stores it with its
/// tenant, customer and conversation (ResolverStore::Store; a message stored before is announced
/// again), then produces messages.resolved (topics::MessagesResolved) and waits for the broker.
/// Outcomes: Done; DeadLetter for a malformed record, an unknown channel account (counted in
/// switchboard_resolver_unknown_accounts_total) or data the database refuses. Database and
/// broker failures throw (RetryableError or pqxx's), so the runtime retries the record.
class InboundResolver final {
 public:
  /// Stores through `pool` (the application role) and produces through `producer`, which must
  /// outlive the resolver; adds its metric to `registry`.
  InboundResolver(db::ConnectionPool& pool, KafkaProducer& producer,
                  prometheus::Registry& registry);

  /// Handles one messages.inbound record (see the class comment).
  Outcome Handle(const ConsumedRecord& record);

 private:
  ResolverStore store_;
  KafkaProducer& producer_;
  prometheus::Family<prometheus::Counter>& unknown_accounts_;
};

}  // namespace switchboard::resolver
