#include "hooks/command.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace stillpoint::hooks {
namespace {

using Argv = std::vector<std::string>;

// Velero's parseStringToCommand: `[` first → JSON list of strings, else ONE argv element;
// a `[` value that is not a JSON list of strings falls back to one element, with the reason.
TEST(ParseCommand, FollowsVeleroParseStringToCommand) {
  struct Case {
    const char* name;
    std::string value;
    Argv argv;
    bool json_error;
  } cases[] = {
      {"json list", R"(["/bin/sh","-c","pg_dump > /x"])", {"/bin/sh", "-c", "pg_dump > /x"}, false},
      {"json list with spaces between", R"([ "a" , "b" ])", {"a", "b"}, false},
      {"empty json list", "[]", {}, false},
      {"plain word", "/freeze", {"/freeze"}, false},
      {"plain line is not split", "/usr/bin/foo arg", {"/usr/bin/foo arg"}, false},
      {"leading space is not json", R"( ["a","b"])", {R"( ["a","b"])"}, false},
      {"unclosed json", "[blarg", {"[blarg"}, true},
      {"non-string element", R"(["a",1])", {R"(["a",1])"}, true},
      {"json object-ish", "[{}]", {"[{}]"}, true},
      {"trailing garbage", R"(["a"] x)", {R"(["a"] x)"}, true},
      {"empty", "", {}, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ParsedCommand parsed = parse_command(c.value);
    EXPECT_EQ(parsed.argv, c.argv);
    EXPECT_EQ(parsed.json_error.has_value(), c.json_error);
  }
  EXPECT_EQ(parse_command(R"(["a",1])").json_error, "element 1 is not a string");
  EXPECT_EQ(parse_command("[blarg").json_error, "not a JSON array");
}

// A one-element command with whitespace is flagged: it runs as a single executable name.
TEST(ParseCommand, FlagsUnsplitShellLines) {
  EXPECT_TRUE(looks_like_unsplit_command({"pg_dump -U app"}));
  EXPECT_TRUE(looks_like_unsplit_command({"a\tb"}));
  EXPECT_FALSE(looks_like_unsplit_command({"/freeze"}));
  EXPECT_FALSE(looks_like_unsplit_command({"/bin/sh", "-c", "a b"}));
  EXPECT_FALSE(looks_like_unsplit_command({}));
}

// parse_command accepts any bytes without throwing; `[`-less input is exactly one argv element.
RC_GTEST_PROP(ParseCommandProperty, NeverThrowsAndKeepsPlainInputWhole, (const std::string& s)) {
  ParsedCommand parsed = parse_command(s);
  if (s.empty()) {
    RC_ASSERT(parsed.argv.empty());
  } else if (s.front() != '[') {
    RC_ASSERT(parsed.argv == Argv{s});
    RC_ASSERT(!parsed.json_error.has_value());
  } else if (parsed.json_error) {
    RC_ASSERT(parsed.argv == Argv{s});
  }
}

// Inputs that start with `[` never throw either, whatever follows.
RC_GTEST_PROP(ParseCommandProperty, BracketInputNeverThrows, (const std::string& rest)) {
  const std::string s = "[" + rest;
  ParsedCommand parsed = parse_command(s);
  RC_ASSERT(parsed.json_error.has_value() || parsed.argv.size() <= s.size());
  if (parsed.json_error) {
    RC_ASSERT(parsed.argv == Argv{s});
  }
}

}  // namespace
}  // namespace stillpoint::hooks
