#include "core/glob.h"

#include <string>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace stillpoint::core {
namespace {

bool glob_matches(const std::string& pattern, const std::string& text) {
  auto glob = Glob::compile(pattern);
  EXPECT_TRUE(glob.has_value()) << glob.error().message;
  return glob.has_value() && glob->matches(text);
}

// Namespace globs match as Velero's gobwas/glob does: `*`, `?`, classes, negated classes,
// alternatives and escapes.
TEST(Glob, MatchesVeleroNamespacePatterns) {
  struct Case {
    const char* pattern;
    const char* text;
    bool want;
  } cases[] = {
      {"*", "anything", true},
      {"*", "", true},
      {"prod-*", "prod-db", true},
      {"prod-*", "prod-", true},
      {"prod-*", "staging-db", false},
      {"*-db", "prod-db", true},
      {"*-db", "prod-dbx", false},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"?", "a", true},
      {"?", "", false},
      {"?", "ab", false},
      {"ns-?", "ns-1", true},
      {"ns-?", "ns-12", false},
      {"[a-c]", "b", true},
      {"[a-c]", "d", false},
      {"[abc]x", "cx", true},
      {"[!a]", "b", true},
      {"[!a]", "a", false},
      {"[!a-c]x", "dx", true},
      {"[!a-c]x", "bx", false},
      {"{a,b}", "a", true},
      {"{a,b}", "b", true},
      {"{a,b}", "c", false},
      {"{a,b}", "a,b", false},
      {"{prod,stag*}-db", "staging-db", true},
      {"{prod,stag*}-db", "dev-db", false},
      {"x{a,{b,c}}y", "xcy", true},
      {"\\*", "*", true},
      {"\\*", "x", false},
      {"a,b", "a,b", true},  // a comma outside braces is a literal
      {"db", "db", true},
      {"db", "db-0", false},
      {"db", "Db", false},  // case matters
      {"", "", true},
      {"", "x", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " ~ " + c.text);
    EXPECT_EQ(glob_matches(c.pattern, c.text), c.want);
  }
}

// A bad pattern is reported with the pattern and the problem rather than matching nothing.
TEST(Glob, RejectsMalformedPatternsNamingThem) {
  struct Case {
    const char* pattern;
    const char* message;
  } cases[] = {
      {"[abc", "invalid glob pattern \"[abc\": unclosed '['"},
      {"{a,b", "invalid glob pattern \"{a,b\": unclosed '{'"},
      {"a}", "invalid glob pattern \"a}\": unexpected '}'"},
      {"a\\", "invalid glob pattern \"a\\\\\": trailing '\\'"},
      {"[]", "invalid glob pattern \"[]\": empty '[]'"},
      {"[z-a]", "invalid glob pattern \"[z-a]\": range out of order in '[...]'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.pattern);
    auto glob = Glob::compile(c.pattern);
    ASSERT_FALSE(glob.has_value());
    EXPECT_EQ(glob.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(glob.error().message, c.message);
  }
}

// Alternatives multiply; a hostile pattern is refused instead of expanding without bound.
TEST(Glob, BoundsAlternativeExpansion) {
  std::string pattern;
  for (int i = 0; i < 10; ++i) {
    pattern += "{a,b}";  // 2^10 = 1024 alternatives
  }
  auto glob = Glob::compile(pattern);
  ASSERT_FALSE(glob.has_value());
  EXPECT_NE(glob.error().message.find("more than 256 alternatives"), std::string::npos);
  EXPECT_TRUE(Glob::compile("{a,b}{c,d}{e,f}{g,h}").has_value());  // 16 is fine
}

// Many stars against a long non-matching text stay fast (no exponential backtracking).
TEST(Glob, ManyStarsDoNotBacktrackExponentially) {
  const std::string pattern = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  const std::string text(2000, 'a');
  EXPECT_FALSE(glob_matches(pattern, text));
}

// Multi-byte characters count as one character for `?`.
TEST(Glob, QuestionMarkMatchesOneUtf8Character) {
  EXPECT_TRUE(glob_matches("?", "\xC3\xA9"));
  EXPECT_FALSE(glob_matches("??", "\xC3\xA9"));
}

// Bytes that are not valid UTF-8 only ever equal themselves: a stray Latin-1 byte does not
// match the character it would encode, and an overlong encoding does not match ASCII.
TEST(Glob, InvalidUtf8BytesOnlyMatchThemselves) {
  EXPECT_FALSE(glob_matches("\xC3\xA9", "\xE9"));  // "é" vs the lone byte 0xE9
  EXPECT_FALSE(glob_matches("\xE9", "\xC3\xA9"));
  EXPECT_FALSE(glob_matches("A", "\xC1\x81"));  // overlong "A"
  EXPECT_FALSE(glob_matches("[a-z]", "\xC1\xA1"));  // overlong "a"
  EXPECT_TRUE(glob_matches("\xE9", "\xE9"));
  EXPECT_TRUE(glob_matches("?", "\xE9"));
  EXPECT_TRUE(glob_matches("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"));
  EXPECT_TRUE(glob_matches("?", "\xF0\x9F\x98\x80"));
}

// A pattern without metacharacters matches exactly itself, and nothing else.
RC_GTEST_PROP(GlobProperty, LiteralPatternMatchesExactlyItself, (const std::string& raw)) {
  std::string literal;
  for (char c : raw) {
    if (std::string_view("*?[]{}\\").find(c) == std::string_view::npos) {
      literal.push_back(c);
    }
  }
  auto glob = Glob::compile(literal);
  RC_ASSERT(glob.has_value());
  RC_ASSERT(glob->matches(literal));
  RC_ASSERT(!glob->matches(literal + "x"));
  const std::string other = *rc::gen::arbitrary<std::string>();
  RC_ASSERT(glob->matches(other) == (other == literal));
}

}  // namespace
}  // namespace stillpoint::core
