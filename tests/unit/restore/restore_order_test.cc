#include "restore/restore_order.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stillpoint::restore {
namespace {

using Names = std::vector<std::string>;

// Velero's high priorities come first in their own order, other resources alphabetically by
// "resource.group", the low priorities last (kubernetes-wire-protocol.md §6.1).
TEST(RestoreOrder, HighPrioritiesThenAlphabeticalThenLowPriorities) {
  const Names backup = {"deployments.apps",
                        "pods",
                        "clusters.cluster.x-k8s.io",
                        "services",
                        "widgets.example.com",
                        "persistentvolumeclaims",
                        "namespaces",
                        "customresourcedefinitions.apiextensions.k8s.io",
                        "statefulsets.apps",
                        "configmaps",
                        "secrets",
                        "persistentvolumes",
                        "serviceaccounts",
                        "replicasets.apps",
                        "endpoints",
                        "rolebindings.rbac.authorization.k8s.io",
                        "clusterroles.rbac.authorization.k8s.io",
                        "storageclasses.storage.k8s.io",
                        "apps.kappctrl.k14s.io",
                        "cronjobs.batch",
                        "backends.db.example.com"};
  EXPECT_EQ(restore_order(backup), (Names{"customresourcedefinitions.apiextensions.k8s.io",
                                          "namespaces",
                                          "storageclasses.storage.k8s.io",
                                          "persistentvolumes",
                                          "persistentvolumeclaims",
                                          "clusterroles.rbac.authorization.k8s.io",
                                          "serviceaccounts",
                                          "rolebindings.rbac.authorization.k8s.io",
                                          "secrets",
                                          "configmaps",
                                          "pods",
                                          "replicasets.apps",
                                          "endpoints",
                                          "services",
                                          "backends.db.example.com",
                                          "cronjobs.batch",
                                          "deployments.apps",
                                          "statefulsets.apps",
                                          "widgets.example.com",
                                          "clusters.cluster.x-k8s.io",
                                          "apps.kappctrl.k14s.io"}));
}

// Every name of both lists is matched in canonical form, including Velero's singular
// "volumesnapshotclass", resolved to the plural resource.
TEST(RestoreOrder, EveryPriorityIsMatchedInCanonicalForm) {
  const Names high = {"customresourcedefinitions.apiextensions.k8s.io",
                      "namespaces",
                      "storageclasses.storage.k8s.io",
                      "volumesnapshotclasses.snapshot.storage.k8s.io",
                      "volumesnapshotcontents.snapshot.storage.k8s.io",
                      "volumesnapshots.snapshot.storage.k8s.io",
                      "datauploads.velero.io",
                      "persistentvolumes",
                      "persistentvolumeclaims",
                      "clusterroles.rbac.authorization.k8s.io",
                      "roles.rbac.authorization.k8s.io",
                      "serviceaccounts",
                      "clusterrolebindings.rbac.authorization.k8s.io",
                      "rolebindings.rbac.authorization.k8s.io",
                      "secrets",
                      "configmaps",
                      "limitranges",
                      "priorityclasses.scheduling.k8s.io",
                      "pods",
                      "replicasets.apps",
                      "clusterclasses.cluster.x-k8s.io",
                      "endpoints",
                      "services"};
  const Names low = {"clusterbootstraps.run.tanzu.vmware.com", "clusters.cluster.x-k8s.io",
                     "clusterresourcesets.addons.cluster.x-k8s.io", "apps.kappctrl.k14s.io",
                     "packageinstalls.packaging.carvel.dev"};
  Names expected = high;
  expected.push_back("aaa.example.com");
  expected.push_back("zzz.example.com");
  expected.insert(expected.end(), low.begin(), low.end());
  Names input(expected.rbegin(), expected.rend());
  EXPECT_EQ(restore_order(input), expected);
}

// Bare names that look like a priority but are in another group are ordinary resources.
TEST(RestoreOrder, NonCanonicalLookalikesSortAlphabetically) {
  EXPECT_EQ(restore_order({"storageclasses", "pods", "clusterroles"}),
            (Names{"pods", "clusterroles", "storageclasses"}));
}

TEST(RestoreOrder, DropsDuplicatesAndHandlesEmptyInput) {
  EXPECT_EQ(restore_order({}), Names{});
  EXPECT_EQ(restore_order({"pods", "jobs.batch", "pods", "jobs.batch", "namespaces"}),
            (Names{"namespaces", "pods", "jobs.batch"}));
}

// Velero's never-restored list (§3.8), APIServices included; near misses are restored.
TEST(RestoreOrder, NeverRestoredResources) {
  for (const char* name : {"nodes", "events", "events.events.k8s.io", "backups.velero.io",
                           "restores.velero.io", "resticrepositories.velero.io",
                           "csinodes.storage.k8s.io", "volumeattachments.storage.k8s.io",
                           "backuprepositories.velero.io", "apiservices.apiregistration.k8s.io"}) {
    EXPECT_TRUE(never_restored(name)) << name;
  }
  for (const char* name : {"pods", "namespaces", "schedules.velero.io", "events.example.com",
                           "nodes.metrics.k8s.io", "", "Nodes"}) {
    EXPECT_FALSE(never_restored(name)) << name;
  }
}

}  // namespace
}  // namespace stillpoint::restore
