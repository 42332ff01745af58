#include "workers/sender/delivery_status.hpp"

#include <doctest/doctest.h>

#include "common/topics/delivery_status.hpp"

namespace switchboard::sender {
namespace {

TEST_CASE("a message status only moves forward") {
  CHECK(NextMessageStatus("pending", "sent") == "sent");
  CHECK(NextMessageStatus("sent", "delivered") == "delivered");
  CHECK(NextMessageStatus("sent", "read") == "read");  // delivered may be skipped
  CHECK(NextMessageStatus("delivered", "read") == "read");
  CHECK_FALSE(NextMessageStatus("read", "delivered"));
  CHECK_FALSE(NextMessageStatus("read", "sent"));
  CHECK_FALSE(NextMessageStatus("delivered", "sent"));
  CHECK_FALSE(NextMessageStatus("sent", "sent"));
}

TEST_CASE("failed overrides everything but read") {
  CHECK(NextMessageStatus("pending", "failed") == "failed");
  CHECK(NextMessageStatus("sent", "failed") == "failed");
  CHECK(NextMessageStatus("delivered", "failed") == "failed");
  CHECK_FALSE(NextMessageStatus("read", "failed"));
  CHECK_FALSE(NextMessageStatus("failed", "delivered"));
  CHECK(NextMessageStatus("failed", "read") == "read");
}

TEST_CASE("a platform status resolves an unknown outcome") {
  CHECK(NextMessageStatus("unknown", "sent") == "sent");
  CHECK(NextMessageStatus("unknown", "read") == "read");
}

TEST_CASE("statuses the order does not know change nothing") {
  CHECK_FALSE(NextMessageStatus("sent", "deleted"));
  CHECK_FALSE(NextMessageStatus("sent", "error"));
  CHECK_FALSE(NextMessageStatus("sent", "pending"));
  CHECK_FALSE(NextMessageStatus("pending", "unknown"));
}

TEST_CASE("a delivery.status value is decoded, required fields are checked") {
  const auto status = topics::DeliveryStatus::Decode(
      {.value =
           R"({"event_id":"e1","schema":"delivery.status/1","channel":"whatsapp",)"
           R"("channel_account_id":"106","platform_message_id":"wamid.1","status":"failed",)"
           R"("received_at":"2024-05-01T09:40:00.123Z","errors":[{"code":131047}],"trace_id":"t1"})",
       .headers = {{"trace-id", "header-trace"}}});
  REQUIRE(status.ok());
  CHECK(status->platform_message_id == "wamid.1");
  CHECK(status->status == "failed");
  CHECK(topics::ErrorsJson(status->errors) == R"([{"code":131047}])");
  CHECK(status->trace_id == "t1");

  const auto no_trace = topics::DeliveryStatus::Decode(
      {.value = R"({"event_id":"e1","schema":"delivery.status/1","channel":"whatsapp",)"
                R"("channel_account_id":"106","status":"error"})",
       .headers = {{"trace-id", "header-trace"}}});
  REQUIRE(no_trace.ok());
  CHECK(no_trace->trace_id == "header-trace");
  CHECK_FALSE(no_trace->platform_message_id.has_value());

  const auto missing = topics::DeliveryStatus::Decode(
      {.value = R"({"event_id":"e1","schema":"delivery.status/1","channel":"whatsapp"})"});
  REQUIRE_FALSE(missing.ok());
  CHECK_FALSE(missing.error().retryable);
  CHECK_FALSE(topics::DeliveryStatus::Decode({.value = "[1]"}).ok());
}

}  // namespace
}  // namespace switchboard::sender
