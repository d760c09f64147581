#include "hooks/resource_names.h"

#include <gtest/gtest.h>

namespace stillpoint::hooks {
namespace {

// Resource names resolve as kubectl's RESTMapper does: plural, singular, short name, any case,
// optionally group-qualified; unknown names are kept as written.
TEST(ResourceNames, ResolvesAliasesToCanonicalNames) {
  struct Case {
    const char* name;
    const char* want;
    bool known;
  } cases[] = {
      {"pods", "pods", true},
      {"pod", "pods", true},
      {"po", "pods", true},
      {"Pods", "pods", true},
      {"PO", "pods", true},
      {"pods.", "pods", true},
      {"pods.core", "pods", true},
      {"pvc", "persistentvolumeclaims", true},
      {"deploy", "deployments.apps", true},
      {"Deployment", "deployments.apps", true},
      {"deployments.apps", "deployments.apps", true},
      {"sts", "statefulsets.apps", true},
      {"pods.apps", "pods.apps", false},
      {"deployments.batch", "deployments.batch", false},
      {"widgets.example.com", "widgets.example.com", false},
      {"podz", "podz", false},
      {"*", "*", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(canonical_resource(c.name), c.want);
    EXPECT_EQ(is_known_resource(c.name), c.known);
  }
}

}  // namespace
}  // namespace stillpoint::hooks
