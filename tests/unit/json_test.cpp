#include "common/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "common/encoding.hpp"

using namespace switchboard;

TEST_CASE("the writer repairs invalid UTF-8 and decoded lone surrogates") {
  // "\udc00" parses into the three CESU-8 bytes ED B0 80, which PostgreSQL refuses.
  const auto parsed = json::Parse(R"({"content":"ok \udc00 end"})");
  REQUIRE(parsed.ok());
  const std::string_view raw = *json::StringView(*parsed, "content");
  CHECK_FALSE(IsValidUtf8(raw));
  const std::string repaired = *json::String(*parsed, "content");
  CHECK(IsValidUtf8(repaired));
  CHECK(repaired == "ok \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end");

  const std::string written = json::Writer()
                                  .StartObject()
                                  .Field("a", raw)
                                  .Field(std::string_view("k\xff"), "v")
                                  .Field("b", std::string_view("x\xc3"))
                                  .EndObject()
                                  .Take();
  CHECK(IsValidUtf8(written));
  CHECK(json::Parse(written).ok());
  CHECK(written.find("x\xEF\xBF\xBD") != std::string::npos);
  CHECK(json::Serialize(*parsed) == R"({"content":"ok )"
                                    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                    R"( end"})");
}

TEST_CASE("members are read by type, a missing or mistyped member is nullopt") {
  const auto parsed = json::Parse(R"({"s":"text","i":42,"d":1.5,"b":true,"n":null,"o":{"x":"y"}})");
  REQUIRE(parsed.ok());
  const json::Value& object = *parsed;
  CHECK(json::String(object, "s") == "text");
  CHECK_FALSE(json::String(object, "i"));
  CHECK(json::Int(object, "i") == 42);
  CHECK_FALSE(json::Int(object, "d"));
  CHECK(json::Number(object, "d") == 1.5);
  CHECK(json::Number(object, "i") == 42.0);
  CHECK(json::Bool(object, "b") == true);
  CHECK_FALSE(json::Bool(object, "n"));
  CHECK(json::Find(object, "missing") == nullptr);
  CHECK(json::Find(*json::Find(object, "o"), "x") != nullptr);
  CHECK(json::Find(*json::Find(object, "s"), "x") == nullptr);  // not an object
  CHECK(json::StringOr(object, "missing", "fallback") == "fallback");
}

TEST_CASE("parse errors say why and where, deep nesting does not exhaust the stack") {
  const auto broken = json::Parse(R"({"a":)");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find("offset 5") != std::string::npos);
  CHECK_FALSE(json::Parse("\"\xff\"").ok());
  const auto kept = json::Parse("{\"a\":\"x\xff\"}", json::InvalidUtf8::kKeep);
  REQUIRE(kept.ok());
  CHECK(json::String(*kept, "a") == "x\xEF\xBF\xBD");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto nested = json::Parse(deep);
  REQUIRE(nested.ok());
  // Copying stops at the depth limit instead of recursing 100000 times.
  CHECK(json::Writer().Copy(*nested, 3).Take() == "[[[null]]]");
}

TEST_CASE("JsonOrString keeps JSON as JSON and anything else as a string") {
  CHECK(json::Writer().JsonOrString(R"({"a": [1, 2]})").Take() == R"({"a":[1,2]})");
  CHECK(json::Writer().JsonOrString("{broken").Take() == R"("{broken")");
}

TEST_CASE("optional and non-empty fields are left out when they have no value") {
  const std::string written = json::Writer()
                                  .StartObject()
                                  .Field("none", std::optional<std::string_view>())
                                  .Field("some", std::optional<std::string>("x"))
                                  .NonEmptyField("empty", "")
                                  .Field("n", std::optional<std::int64_t>(7))
                                  .EndObject()
                                  .Take();
  CHECK(written == R"({"some":"x","n":7})");
}

TEST_CASE("a number RapidJSON reads as infinity is written as null, and the output parses") {
  // Found by vapi_message_fuzz: an end-of-call report with "timestamp": 1714556112E300 went to
  // voice.events as `"timestamp":,`, which no consumer could decode.
  const auto read = json::Parse(R"({"timestamp": 1714556112E300, "n": 1.5})");
  REQUIRE(read.ok());
  const std::string written = json::Serialize(*read);
  CHECK(written == R"({"timestamp":null,"n":1.5})");
  CHECK(json::Parse(written).ok());
  CHECK(json::Writer().StartArray().Double(NAN).Double(-INFINITY).EndArray().Take() ==
        "[null,null]");
}
