#include "core/label_selector.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace stillpoint::core {
namespace {

using nlohmann::json;

LabelSelector selector(const json& value) {
  auto s = LabelSelector::from_json(value, "labelSelector");
  EXPECT_TRUE(s.has_value()) << s.error().message;
  return s.has_value() ? *s : LabelSelector();
}

// An empty selector `{}` selects every pod, with or without labels.
TEST(LabelSelector, EmptySelectorMatchesEverything) {
  auto s = selector(json::object());
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.matches({}));
  EXPECT_TRUE(s.matches({{"app", "db"}}));
  EXPECT_TRUE(selector(json{{"matchLabels", nullptr}, {"matchExpressions", nullptr}}).matches({}));
}

// matchLabels and every matchExpressions operator match as Kubernetes does; all requirements
// must hold.
TEST(LabelSelector, MatchesLabelsAndExpressions) {
  const Labels db{{"app", "db"}, {"tier", "backend"}};
  const Labels web{{"app", "web"}};
  const Labels none{};
  struct Case {
    const char* name;
    json selector;
    bool db, web, none;
  } cases[] = {
      {"matchLabels", json{{"matchLabels", {{"app", "db"}}}}, true, false, false},
      {"matchLabels all must hold",
       json{{"matchLabels", {{"app", "db"}, {"tier", "frontend"}}}},
       false, false, false},
      {"In",
       json{{"matchExpressions", {{{"key", "app"}, {"operator", "In"}, {"values", {"db", "x"}}}}}},
       true, false, false},
      {"NotIn",
       json{{"matchExpressions", {{{"key", "app"}, {"operator", "NotIn"}, {"values", {"db"}}}}}},
       false, true, true},
      {"Exists", json{{"matchExpressions", {{{"key", "tier"}, {"operator", "Exists"}}}}}, true,
       false, false},
      {"DoesNotExist",
       json{{"matchExpressions", {{{"key", "tier"}, {"operator", "DoesNotExist"}}}}}, false, true,
       true},
      {"labels and expressions combined",
       json{{"matchLabels", {{"app", "db"}}},
            {"matchExpressions", {{{"key", "tier"}, {"operator", "DoesNotExist"}}}}},
       false, false, false},
      {"empty value matches an empty label",
       json{{"matchLabels", {{"app", ""}}}}, false, false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto s = selector(c.selector);
    EXPECT_EQ(s.matches(db), c.db);
    EXPECT_EQ(s.matches(web), c.web);
    EXPECT_EQ(s.matches(none), c.none);
  }
  EXPECT_TRUE(selector(json{{"matchLabels", {{"app", ""}}}}).matches({{"app", ""}}));
}

// An invalid selector is an error naming the field path, in Kubernetes' wording.
TEST(LabelSelector, RejectsInvalidSelectorsNamingTheField) {
  struct Case {
    const char* name;
    json selector;
    const char* message;
  } cases[] = {
      {"unknown operator",
       json{{"matchExpressions", {{{"key", "app"}, {"operator", "nonexistent-operator"}}}}},
       "labelSelector.matchExpressions[0].operator: \"nonexistent-operator\" is not a valid label "
       "selector operator"},
      {"operator case matters",
       json{{"matchExpressions", {{{"key", "app"}, {"operator", "in"}, {"values", {"a"}}}}}},
       "labelSelector.matchExpressions[0].operator: \"in\" is not a valid label selector "
       "operator"},
      {"In without values",
       json{{"matchExpressions", {{{"key", "app"}, {"operator", "In"}}}}},
       "labelSelector.matchExpressions[0].values: for 'In', 'NotIn' operators, values set can't "
       "be empty"},
      {"Exists with values",
       json{{"matchExpressions", {{{"key", "app"}, {"operator", "Exists"}, {"values", {"a"}}}}}},
       "labelSelector.matchExpressions[0].values: values set must be empty for 'Exists' and "
       "'DoesNotExist' operators"},
      {"missing key", json{{"matchExpressions", {{{"operator", "Exists"}}}}},
       "labelSelector.matchExpressions[0].key: required"},
      {"not an object", json("app=db"),
       "labelSelector: expected an object, got string \"app=db\""},
      {"matchLabels value not a string", json{{"matchLabels", {{"app", true}}}},
       "labelSelector.matchLabels[\"app\"]: expected a string, got boolean true (quote the value "
       "in YAML)"},
      {"matchExpressions not a list", json{{"matchExpressions", json::object()}},
       "labelSelector.matchExpressions: expected a list, got an object"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto s = LabelSelector::from_json(c.selector, "labelSelector");
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(s.error().message, c.message);
  }
}

// Label keys and values are checked as Kubernetes checks them.
TEST(LabelSelector, ValidatesKeysAndValues) {
  EXPECT_EQ(check_label_key("app"), "");
  EXPECT_EQ(check_label_key("app.kubernetes.io/name"), "");
  EXPECT_NE(check_label_key(""), "");
  EXPECT_NE(check_label_key("-app"), "");
  EXPECT_NE(check_label_key("Example.COM/app"), "");
  EXPECT_NE(check_label_key(std::string(64, 'a')), "");
  EXPECT_EQ(check_label_value(""), "");
  EXPECT_EQ(check_label_value("v1.2_3-x"), "");
  EXPECT_NE(check_label_value("has space"), "");
  EXPECT_NE(check_label_value("trailing-"), "");
  auto bad_key = LabelSelector::from_json(json{{"matchLabels", {{"bad key", "x"}}}}, "sel");
  ASSERT_FALSE(bad_key.has_value());
  EXPECT_EQ(bad_key.error().message.rfind("sel.matchLabels: invalid label key \"bad key\"", 0), 0u)
      << bad_key.error().message;
}

// The string form is what kubectl prints.
TEST(LabelSelector, PrintsKubectlForm) {
  auto s = selector(json{{"matchLabels", {{"app", "db"}}},
                         {"matchExpressions",
                          {{{"key", "tier"}, {"operator", "In"}, {"values", {"a", "b"}}},
                           {{"key", "x"}, {"operator", "NotIn"}, {"values", {"c"}}},
                           {{"key", "y"}, {"operator", "Exists"}},
                           {{"key", "z"}, {"operator", "DoesNotExist"}}}}});
  EXPECT_EQ(s.to_string(), "app=db,tier in (a,b),x notin (c),y,!z");
}

}  // namespace
}  // namespace stillpoint::core
