// The usage stage's handler against the PostgreSQL tests/run started: records are handed to
// UsageRecorder directly, counters are read through the owner role (DATABASE_OWNER_URL). Each
// test seeds its own business, so they can run again.
#include <doctest/doctest.h>

#include <pqxx/pqxx>
#include <random>
#include <string>

#include "common/db_pool.hpp"
#include "common/hmac.hpp"
#include "tests/support/kafka_reader.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/usage/record_usage.hpp"

namespace {

using namespace switchboard;
using testing::RandomDigits;
using testing::RequireEnv;

/// A new business (through the owner role); its id.
std::string SeedBusiness() {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  const std::string id =
      tx.exec_params1("INSERT INTO businesses (name, slug) VALUES ('Usage test', $1) RETURNING id",
                      "usage-test-" + RandomDigits(15))[0]
          .as<std::string>();
  tx.commit();
  return id;
}

/// usage_counters of `business_id` for the month starting `month` as "messages/tokens/seconds",
/// or "none".
std::string Counters(const std::string& business_id, const std::string& month) {
  pqxx::connection connection(RequireEnv("DATABASE_OWNER_URL"));
  pqxx::work tx(connection);
  const auto rows = tx.exec_params(
      "SELECT messages || '/' || llm_tokens || '/' || voice_seconds FROM usage_counters "
      "WHERE business_id = $1 AND month = $2::date",
      business_id, month);
  return rows.empty() ? "none" : rows[0][0].as<std::string>();
}

/// A usage.events/1 record.
ConsumedRecord UsageRecord(const std::string& business_id, const std::string& event_id,
                           const std::string& occurred_at, int messages, int tokens, int seconds) {
  const std::string value =
      R"({"event_id":")" + event_id + R"(","schema":"usage.events/1","business_id":")" +
      business_id + R"(","kind":"reply","occurred_at":")" + occurred_at + R"(","messages":)" +
      std::to_string(messages) + R"(,"llm_tokens":)" + std::to_string(tokens) +
      R"(,"voice_seconds":)" + std::to_string(seconds) + R"(,"trace_id":"trace-usage"})";
  return ConsumedRecord{.topic = "usage.events",
                        .key = business_id,
                        .value = value,
                        .headers = {{"event-id", event_id}, {"schema", "usage.events/1"}}};
}

std::string NewEventId() {
  return EventIdFor({"usage.events", "usage-test", RandomDigits(20)});
}

struct UsageUnderTest {
  db::ConnectionPool pool{RequireEnv("DATABASE_URL"), 2};
  usage::UsageStore store{pool};
  usage::UsageRecorder recorder{store};
};

}  // namespace

TEST_CASE("usage: the same event twice counts once") {
  UsageUnderTest stage;
  const std::string business = SeedBusiness();
  const ConsumedRecord record =
      UsageRecord(business, NewEventId(), "2024-05-10T12:00:00.000Z", 1, 700, 0);

  CHECK(stage.recorder.Handle(record).kind == Outcome::Kind::kDone);
  CHECK(stage.recorder.Handle(record).kind == Outcome::Kind::kDone);

  CHECK(Counters(business, "2024-05-01") == "1/700/0");
}

TEST_CASE("usage: events of one month add up") {
  UsageUnderTest stage;
  const std::string business = SeedBusiness();

  CHECK(stage.recorder
            .Handle(UsageRecord(business, NewEventId(), "2024-05-01T00:00:00.000Z", 1, 100, 0))
            .kind == Outcome::Kind::kDone);
  CHECK(stage.recorder
            .Handle(UsageRecord(business, NewEventId(), "2024-05-31T23:59:59.999Z", 1, 250, 0))
            .kind == Outcome::Kind::kDone);
  CHECK(stage.recorder
            .Handle(UsageRecord(business, NewEventId(), "2024-05-15T08:00:00.000Z", 0, 0, 95))
            .kind == Outcome::Kind::kDone);

  CHECK(Counters(business, "2024-05-01") == "2/350/95");
}

TEST_CASE("usage: months are counted apart, by the UTC month of occurred_at") {
  UsageUnderTest stage;
  const std::string business = SeedBusiness();

  CHECK(stage.recorder
            .Handle(UsageRecord(business, NewEventId(), "2024-05-31T23:59:59.000Z", 1, 10, 0))
            .kind == Outcome::Kind::kDone);
  // 00:30 on 1 June in UTC+02:00 is still 31 May in UTC.
  CHECK(stage.recorder
            .Handle(UsageRecord(business, NewEventId(), "2024-06-01T00:30:00+02:00", 1, 20, 0))
            .kind == Outcome::Kind::kDone);
  CHECK(stage.recorder
            .Handle(UsageRecord(business, NewEventId(), "2024-06-01T00:00:00.000Z", 1, 40, 0))
            .kind == Outcome::Kind::kDone);

  CHECK(Counters(business, "2024-05-01") == "2/30/0");
  CHECK(Counters(business, "2024-06-01") == "1/40/0");
  CHECK(Counters(business, "2024-04-01") == "none");
}

TEST_CASE("usage: malformed events and unknown businesses are dead letters") {
  UsageUnderTest stage;
  const std::string business = SeedBusiness();
  ConsumedRecord record = UsageRecord(business, NewEventId(), "2024-05-10T12:00:00.000Z", 1, 1, 0);

  record.value = "[]";
  CHECK(stage.recorder.Handle(record).kind == Outcome::Kind::kDeadLetter);

  record = UsageRecord(business, NewEventId(), "2024-05-10T12:00:00.000Z", -1, 1, 0);
  const Outcome negative = stage.recorder.Handle(record);
  CHECK(negative.kind == Outcome::Kind::kDeadLetter);
  CHECK(negative.error == "usage.events: messages is not a non-negative integer");

  record = UsageRecord(business, NewEventId(), "the fifth of May", 1, 1, 0);
  CHECK(stage.recorder.Handle(record).kind == Outcome::Kind::kDeadLetter);

  record = UsageRecord("not-a-uuid", NewEventId(), "2024-05-10T12:00:00.000Z", 1, 1, 0);
  CHECK(stage.recorder.Handle(record).kind == Outcome::Kind::kDeadLetter);

  const std::string stranger = "00000000-0000-4000-8000-" + RandomDigits(12);
  record = UsageRecord(stranger, NewEventId(), "2024-05-10T12:00:00.000Z", 1, 1, 0);
  const Outcome unknown = stage.recorder.Handle(record);
  CHECK(unknown.kind == Outcome::Kind::kDeadLetter);
  CHECK(unknown.error == "usage.events: unknown business " + stranger);

  CHECK(Counters(business, "2024-05-01") == "none");
}
