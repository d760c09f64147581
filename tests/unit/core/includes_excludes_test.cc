#include "core/includes_excludes.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stillpoint::core {
namespace {

IncludesExcludes compile(std::vector<std::string> in, std::vector<std::string> ex) {
  auto ie = IncludesExcludes::compile(std::move(in), std::move(ex), "includedNamespaces",
                                      "excludedNamespaces");
  EXPECT_TRUE(ie.has_value()) << ie.error().message;
  return *ie;
}

// Velero's IncludesExcludes: excludes first, then includes; empty or `*` includes all.
TEST(IncludesExcludes, ExcludesWinThenIncludesDecide) {
  struct Case {
    const char* name;
    std::vector<std::string> includes, excludes;
    const char* value;
    bool want;
  } cases[] = {
      {"empty includes all", {}, {}, "anything", true},
      {"star includes all", {"*"}, {}, "anything", true},
      {"star among others includes all", {"a", "*"}, {}, "z", true},
      {"listed", {"db", "web"}, {}, "web", true},
      {"not listed", {"db", "web"}, {}, "cache", false},
      {"glob include", {"prod-*"}, {}, "prod-db", true},
      {"alternatives include", {"{a,b}"}, {}, "b", true},
      {"exclude wins over include", {"db"}, {"db"}, "db", false},
      {"exclude wins over star", {"*"}, {"kube-*"}, "kube-system", false},
      {"exclude wins over empty includes", {}, {"kube-system"}, "kube-system", false},
      {"exclude glob does not touch others", {}, {"kube-*"}, "default", true},
      {"negated class exclude", {}, {"[!a]*"}, "apps", true},
      {"negated class exclude hits", {}, {"[!a]*"}, "bpps", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(compile(c.includes, c.excludes).should_include(c.value), c.want);
  }
}

// An invalid pattern is an error naming the field and index, not a silent non-match.
TEST(IncludesExcludes, InvalidPatternNamesTheField) {
  auto in = IncludesExcludes::compile({"ok", "[bad"}, {}, "spec.includedNamespaces",
                                      "spec.excludedNamespaces");
  ASSERT_FALSE(in.has_value());
  EXPECT_EQ(in.error().message,
            "spec.includedNamespaces[1]: invalid glob pattern \"[bad\": unclosed '['");
  auto ex = IncludesExcludes::compile({}, {"{x"}, "spec.includedNamespaces",
                                      "spec.excludedNamespaces");
  ASSERT_FALSE(ex.has_value());
  EXPECT_EQ(ex.error().message,
            "spec.excludedNamespaces[0]: invalid glob pattern \"{x\": unclosed '{'");
}

// The lists are kept as written, for plans and messages.
TEST(IncludesExcludes, KeepsListsAsWritten) {
  auto ie = compile({"a", "b*"}, {"c"});
  EXPECT_EQ(ie.includes(), (std::vector<std::string>{"a", "b*"}));
  EXPECT_EQ(ie.excludes(), (std::vector<std::string>{"c"}));
}

}  // namespace
}  // namespace stillpoint::core
