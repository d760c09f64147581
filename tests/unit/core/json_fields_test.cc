#include "core/json_fields.h"

#include <string>

#include <gtest/gtest.h>

namespace stillpoint::core {
namespace {

using nlohmann::json;

// Wrong types are described the same way everywhere, naming what was found.
TEST(JsonFields, DescribesValues) {
  EXPECT_EQ(describe_json(json("x")), "string \"x\"");
  EXPECT_EQ(describe_json(json(3)), "number 3");
  EXPECT_EQ(describe_json(json(1.5)), "number 1.5");
  EXPECT_EQ(describe_json(json(true)), "boolean true");
  EXPECT_EQ(describe_json(json(false)), "boolean false");
  EXPECT_EQ(describe_json(json(nullptr)), "null");
  EXPECT_EQ(describe_json(json::object()), "an object");
  EXPECT_EQ(describe_json(json::array()), "a list");
  const std::string long_string(200, 'a');
  EXPECT_EQ(describe_json(json(long_string)), "string \"" + std::string(80, 'a') + "...\"");
}

// Paths join with dots and brackets, and an empty root adds no dot.
TEST(JsonFields, BuildsFieldPaths) {
  EXPECT_EQ(field_path("", "spec"), "spec");
  EXPECT_EQ(field_path("spec", "hooks"), "spec.hooks");
  EXPECT_EQ(index_path("spec.hooks.resources", 2), "spec.hooks.resources[2]");
}

// Typed reads: absent or null is "unset"; a wrong type is an error naming the path.
TEST(JsonFields, ReadsTypedFieldsOrNamesThePath) {
  const json obj = {{"s", "v"}, {"n", 3}, {"b", true}, {"z", nullptr},
                    {"list", {"a", "b"}}, {"mixed", {"a", 1}}, {"qb", "true"}};
  EXPECT_EQ(*optional_string(obj, "s", "p"), std::optional<std::string>("v"));
  EXPECT_EQ(*optional_string(obj, "absent", "p"), std::nullopt);
  EXPECT_EQ(*optional_string(obj, "z", "p"), std::nullopt);
  EXPECT_EQ(optional_string(obj, "n", "p").error().message, "p.n: expected a string, got number 3");
  EXPECT_EQ(string_field(obj, "absent", "p").error().message, "p.absent: required");
  EXPECT_EQ(*string_field(obj, "s", "p"), "v");
  EXPECT_EQ(*optional_bool(obj, "b", "p"), std::optional<bool>(true));
  EXPECT_EQ(*optional_bool(obj, "absent", "p"), std::nullopt);
  // A quoted "true" is a string, not a boolean.
  EXPECT_EQ(optional_bool(obj, "qb", "p").error().message,
            "p.qb: expected true or false, got string \"true\"");
  EXPECT_EQ(*optional_string_list(obj, "list", "p"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(optional_string_list(obj, "absent", "p")->empty());
  EXPECT_EQ(optional_string_list(obj, "mixed", "p").error().message,
            "p.mixed[1]: expected a string, got number 1");
  EXPECT_EQ(optional_string_list(obj, "s", "p").error().message,
            "p.s: expected a list of strings, got string \"v\"");
  EXPECT_EQ(string_map(json{{"k", 1}}, "m").error().message,
            "m[\"k\"]: expected a string, got number 1 (quote the value in YAML)");
  EXPECT_EQ(string_map(json::array(), "m").error().message,
            "m: expected a map of strings, got a list");
}

// Unknown fields (typos such as onErorr) are listed with their full path.
TEST(JsonFields, ListsUnknownFields) {
  const json exec = {{"command", {"x"}}, {"onErorr", "Fail"}, {"container", "app"}};
  EXPECT_EQ(unknown_fields(exec, {"container", "command", "onError", "timeout"}, "pre[0].exec"),
            (std::vector<std::string>{"pre[0].exec.onErorr"}));
  EXPECT_TRUE(unknown_fields(json("x"), {"a"}, "p").empty());
}

}  // namespace
}  // namespace stillpoint::core
