// The --selector string form, converted to the object form and validated by LabelSelector.
#include "core/selector_string.h"

#include <gtest/gtest.h>

namespace stillpoint::core {
namespace {

Labels labels(std::initializer_list<std::pair<const std::string, std::string>> l) {
  return Labels(l);
}

TEST(SelectorString, EqualityForms) {
  auto s = parse_selector_string("app=db, tier==backend", "--selector");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->matches(labels({{"app", "db"}, {"tier", "backend"}})));
  EXPECT_FALSE(s->matches(labels({{"app", "db"}})));
}

TEST(SelectorString, SetAndExistenceForms) {
  auto s = parse_selector_string("env in (prod, staging),tier notin (cache),gpu,!legacy",
                                 "--selector");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->matches(labels({{"env", "prod"}, {"tier", "db"}, {"gpu", ""}})));
  EXPECT_FALSE(s->matches(labels({{"env", "dev"}, {"gpu", ""}})));
  EXPECT_FALSE(s->matches(labels({{"env", "prod"}, {"tier", "cache"}, {"gpu", ""}})));
  EXPECT_FALSE(s->matches(labels({{"env", "prod"}})));
  EXPECT_FALSE(s->matches(labels({{"env", "prod"}, {"gpu", ""}, {"legacy", "y"}})));
}

TEST(SelectorString, NotEqualMatchesAbsentKeys) {
  auto s = parse_selector_string("tier!=cache", "--selector");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->matches(labels({})));
  EXPECT_FALSE(s->matches(labels({{"tier", "cache"}})));
}

TEST(SelectorString, EmptySelectsEverything) {
  auto s = parse_selector_string("  ", "--selector");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->matches(labels({{"a", "b"}})));
}

TEST(SelectorString, ErrorsNameTheFlagAndThePart) {
  for (const char* bad : {"a in b", "a in (x", "a,,b", "a=(b)", "bad key!=x", "a)"}) {
    auto s = parse_selector_string(bad, "--selector");
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("--selector"), std::string::npos) << s.error().message;
  }
}

}  // namespace
}  // namespace stillpoint::core
