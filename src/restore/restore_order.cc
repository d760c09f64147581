#include "restore/restore_order.h"

#include <algorithm>
#include <array>
#include <set>

namespace stillpoint::restore {
namespace {

// §6.1's high priorities, written in canonical "resource.group" form: Velero's list uses bare
// names that discovery resolves (`storageclasses` is storage.k8s.io, `clusterroles` is
// rbac.authorization.k8s.io), while our input is already canonical, so a bare name here would
// silently never match. Velero's "volumesnapshotclass.snapshot.storage.k8s.io" is singular;
// discovery resolves the singular to the plural resource, which is what we compare against.
constexpr std::array<std::string_view, 23> kHighPriorities = {
    "customresourcedefinitions.apiextensions.k8s.io",
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
    "services",
};

// §6.1's low priorities: Cluster API and Carvel objects that reconcile whole clusters or
// packages, created after everything they may refer to.
constexpr std::array<std::string_view, 5> kLowPriorities = {
    "clusterbootstraps.run.tanzu.vmware.com",      "clusters.cluster.x-k8s.io",
    "clusterresourcesets.addons.cluster.x-k8s.io", "apps.kappctrl.k14s.io",
    "packageinstalls.packaging.carvel.dev",
};

constexpr std::array<std::string_view, 10> kNeverRestored = {
    "nodes",
    "events",
    "events.events.k8s.io",
    "backups.velero.io",
    "restores.velero.io",
    "resticrepositories.velero.io",
    "csinodes.storage.k8s.io",
    "volumeattachments.storage.k8s.io",
    "backuprepositories.velero.io",
    "apiservices.apiregistration.k8s.io",
};

template <size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

std::vector<std::string> restore_order(std::vector<std::string> group_resources) {
  // std::set sorts by byte value, which is Go's sort.Strings order (what Velero uses).
  const std::set<std::string, std::less<>> present(group_resources.begin(), group_resources.end());
  std::vector<std::string> out;
  out.reserve(present.size());
  for (auto name : kHighPriorities) {
    if (present.contains(name))
      out.emplace_back(name);
  }
  for (const auto& name : present) {
    if (!listed(kHighPriorities, name) && !listed(kLowPriorities, name))
      out.push_back(name);
  }
  for (auto name : kLowPriorities) {
    if (present.contains(name))
      out.emplace_back(name);
  }
  return out;
}

bool never_restored(std::string_view group_resource) {
  return listed(kNeverRestored, group_resource);
}

}  // namespace stillpoint::restore
