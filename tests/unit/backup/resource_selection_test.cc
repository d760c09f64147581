#include "backup/resource_selection.h"

#include <gtest/gtest.h>

namespace stillpoint::backup {
namespace {

kube::ApiResource res(std::string group, std::string resource, std::string kind, bool namespaced,
                      std::vector<std::string> short_names = {}) {
  kube::ApiResource r;
  r.gvr = {std::move(group), "v1", std::move(resource)};
  r.kind = std::move(kind);
  r.namespaced = namespaced;
  r.verbs = {"get", "list", "create"};
  r.short_names = std::move(short_names);
  return r;
}

kube::DiscoveryResult cluster() {
  kube::DiscoveryResult d;
  d.resources = {res("", "pods", "Pod", true, {"po"}),
                 res("", "configmaps", "ConfigMap", true, {"cm"}),
                 res("", "namespaces", "Namespace", false, {"ns"}),
                 res("", "persistentvolumes", "PersistentVolume", false, {"pv"}),
                 res("apps", "deployments", "Deployment", true, {"deploy"}),
                 res("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false)};
  auto no_list = res("", "bindings", "Binding", true);
  no_list.verbs = {"create"};
  d.resources.push_back(no_list);
  return d;
}

core::IncludesExcludes filter(std::vector<std::string> inc, std::vector<std::string> exc = {}) {
  return *core::IncludesExcludes::compile(std::move(inc), std::move(exc), "i", "e");
}

std::vector<std::string> names(const std::vector<SelectedResource>& s) {
  std::vector<std::string> out;
  for (const auto& r : s) out.push_back(r.resource.group_resource());
  return out;
}

TEST(ResourceSelection, AllNamespacesIncludesClusterScopedByDefault) {
  const auto s = select_resources(cluster(), filter({}), filter({}), std::nullopt);
  EXPECT_EQ(names(s), (std::vector<std::string>{"pods", "configmaps", "namespaces",
                                                "persistentvolumes", "deployments.apps",
                                                "clusterroles.rbac.authorization.k8s.io"}));
}

// Some namespaces only: cluster-scoped objects are left out, except the namespaces
// themselves and volumes bound to backed-up claims (Velero's default).
TEST(ResourceSelection, SomeNamespacesLeaveClusterScopedOut) {
  const auto s = select_resources(cluster(), filter({}), filter({"shop"}), std::nullopt);
  EXPECT_EQ(names(s), (std::vector<std::string>{"pods", "configmaps", "namespaces",
                                                "persistentvolumes", "deployments.apps"}));
  EXPECT_EQ(s[2].keep, SelectedResource::Keep::IncludedNamespaces);
  EXPECT_EQ(s[3].keep, SelectedResource::Keep::Referenced);
  const auto off = select_resources(cluster(), filter({}), filter({"shop"}), false);
  EXPECT_EQ(names(off), (std::vector<std::string>{"pods", "configmaps", "namespaces",
                                                  "deployments.apps"}));
}

TEST(ResourceSelection, ResourcesMatchByAnyName) {
  const auto s = select_resources(cluster(), filter({"po", "Deployment", "configmaps"}),
                                  filter({}), std::nullopt);
  EXPECT_EQ(names(s), (std::vector<std::string>{"pods", "configmaps", "deployments.apps"}));
  const auto x = select_resources(cluster(), filter({}, {"cm", "deployments.apps"}), filter({}),
                                  std::nullopt);
  const auto kept = names(x);
  EXPECT_EQ(std::count(kept.begin(), kept.end(), "configmaps"), 0);
  EXPECT_EQ(std::count(kept.begin(), kept.end(), "deployments.apps"), 0);
  EXPECT_EQ(std::count(kept.begin(), kept.end(), "pods"), 1);
}

}  // namespace
}  // namespace stillpoint::backup
