// The resource-filter parser both spec kinds decode their hook entries with
// (hooks/resource_filter_parser.h): what each kind's entry selects, and which of its fields
// count as known.
#include "hooks/resource_filter_parser.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hooks/spec_reader.h"

namespace stillpoint::hooks {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using nlohmann::json;

// One entry holding every filter field, both kinds' hook fields and a typo.
json entry_with_every_field() {
  return {{"name", "db"},
          {"includedNamespaces", {"prod-*"}},
          {"excludedNamespaces", {"prod-tmp"}},
          {"includedResources", {"po"}},
          {"excludedResources", {"deploy"}},
          {"labelSelector", {{"matchLabels", {{"app", "db"}}}}},
          {"pre", json::array()},
          {"postHooks", json::array()},
          {"prre", json::array()}};
}

// An entry's fields are known when they are filter fields or the kind's own hook fields; any
// other is warned about under the entry's name, and restore hooks say they ignore resources.
TEST(ResourceFilterParser, EntryKnowsFilterFieldsAndOnlyItsKindsHookFields) {
  struct Case {
    std::string name;
    std::initializer_list<std::string_view> hook_fields;
    HookResources resources;
    std::vector<std::string> warnings;
    std::vector<std::string> resource_includes;
  };
  const std::string at = "spec.yaml: spec.hooks.resources[0] (\"db\")";
  const std::vector<Case> cases = {
      {"backup",
       {"pre", "post"},
       HookResources::AsWritten,
       {at + ".postHooks: unknown field, ignored (a typo?)",
        at + ".prre: unknown field, ignored (a typo?)"},
       {"pods"}},
      {"restore",
       {"postHooks"},
       HookResources::PodsOnly,
       {at + ".pre: unknown field, ignored (a typo?)",
        at + ".prre: unknown field, ignored (a typo?)",
        at + ".includedResources: ignored: restore hooks always apply to pods (as in Velero)",
        at + ".excludedResources: ignored: restore hooks always apply to pods (as in Velero)"},
       {"pods"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    SpecReader reader("spec.yaml");
    auto filter = parse_hook_entry_filter(entry_with_every_field(), "spec.hooks.resources[0]",
                                          c.hook_fields, c.resources, reader);
    ASSERT_TRUE(filter.has_value()) << filter.error().message;
    EXPECT_EQ(filter->name, "db");
    EXPECT_EQ(filter->label, "spec.hooks.resources[0] (\"db\")");
    EXPECT_THAT(reader.take_warnings(), ElementsAreArray(c.warnings));
    EXPECT_THAT(filter->selector.resources.includes(), ElementsAreArray(c.resource_includes));
    EXPECT_THAT(filter->selector.namespaces.includes(), ElementsAre("prod-*"));
    ASSERT_TRUE(filter->selector.label_selector.has_value());
    EXPECT_EQ(filter->selector.label_selector->to_string(), "app=db");
  }
}

// Errors in the filter fields name the entry by its name and the field, with the value.
TEST(ResourceFilterParser, ErrorsNameTheEntryAndField) {
  struct Case {
    std::string name;
    json entry;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no name",
       {{"includedNamespaces", {"a"}}},
       "spec.yaml: spec.hooks.resources[2].name: required (hooks are named in logs and "
       "results)"},
      {"not an object", json::array(),
       "spec.yaml: spec.hooks.resources[2]: expected an object, got a list"},
      {"namespaces not a list",
       {{"name", "db"}, {"includedNamespaces", "prod"}},
       "spec.yaml: spec.hooks.resources[2] (\"db\").includedNamespaces: expected a list of "
       "strings, got string \"prod\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    SpecReader reader("spec.yaml");
    auto filter = parse_hook_entry_filter(c.entry, "spec.hooks.resources[2]", {"pre", "post"},
                                          HookResources::AsWritten, reader);
    ASSERT_FALSE(filter.has_value());
    EXPECT_EQ(filter.error().message, c.message);
  }
}

// HookEntryFilter::entry gives either kind's entry the parsed name and selector.
TEST(ResourceFilterParser, EntryBuildsEitherKindsSpec) {
  SpecReader reader("spec.yaml");
  auto filter = parse_hook_entry_filter(entry_with_every_field(), "spec.hooks.resources[0]",
                                        {"pre", "postHooks"}, HookResources::AsWritten, reader);
  ASSERT_TRUE(filter.has_value()) << filter.error().message;
  const auto backup = filter->entry<BackupResourceHookSpec>();
  const auto restore = filter->entry<RestoreResourceHookSpec>();
  EXPECT_EQ(backup.name, "db");
  EXPECT_EQ(restore.name, "db");
  EXPECT_THAT(backup.selector.resources.excludes(), ElementsAre("deployments.apps"));
  EXPECT_THAT(restore.selector.resources.excludes(), ElementsAre("deployments.apps"));
}

}  // namespace
}  // namespace stillpoint::hooks
