#include <doctest/doctest.h>

#include "workers/admin/arguments.hpp"

using switchboard::admin::Arguments;
using switchboard::admin::UsageError;

TEST_CASE("admin arguments: options, flags and plain words are taken by what reads them") {
  Arguments args({"redrive", "a1", "--stage", "resolver", "b2", "--json"});
  CHECK(args.Required("stage") == "resolver");
  CHECK(args.Flag("json"));
  CHECK_FALSE(args.Flag("all"));
  CHECK_FALSE(args.Optional("group").has_value());
  CHECK(args.Positionals() == std::vector<std::string>{"redrive", "a1", "b2"});
  CHECK_NOTHROW(args.RejectUnused());
}

TEST_CASE("admin arguments: what is wrong is named") {
  Arguments missing({"--json"});
  CHECK_THROWS_WITH_AS(missing.Required("topic"), "missing --topic", UsageError);
  Arguments twice({"--topic", "a", "--topic", "b"});
  CHECK_THROWS_WITH_AS(twice.Optional("topic"), "option --topic given twice", UsageError);
  Arguments valueless({"--topic", "--json"});
  CHECK_THROWS_WITH_AS(valueless.Optional("topic"), "option --topic needs a value", UsageError);
  Arguments unknown({"--topic", "a", "--colour", "red"});
  CHECK(unknown.Required("topic") == "a");
  CHECK_THROWS_WITH_AS(unknown.RejectUnused(), "unknown option --colour", UsageError);
  Arguments stray({"extra"});
  CHECK_THROWS_WITH_AS(stray.RejectUnused(), "unexpected argument 'extra'", UsageError);
  CHECK(Arguments({"--topic", "t", "--help"}).WantsHelp());
  CHECK_FALSE(Arguments({"--topic", "t"}).WantsHelp());
}
