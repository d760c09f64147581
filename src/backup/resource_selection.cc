#include "backup/resource_selection.h"

#include <string>

namespace stillpoint::backup {

std::vector<SelectedResource> select_resources(const kube::DiscoveryResult& discovery,
                                               const core::IncludesExcludes& resources,
                                               const core::IncludesExcludes& namespaces,
                                               std::optional<bool> include_cluster_resources) {
  const bool cluster_scoped_ok =
      include_cluster_resources.value_or(namespaces.includes_everything());
  std::vector<SelectedResource> out;
  for (const auto& r : discovery.resources) {
    if (!r.has_verb("list") || !r.has_verb("get")) continue;
    const bool is_namespaces = r.gvr.group.empty() && r.gvr.resource == "namespaces";
    if (is_namespaces) {
      if (kube::resource_matches(resources, r)) {
        out.push_back({r, SelectedResource::Keep::IncludedNamespaces});
      }
      continue;
    }
    if (!kube::resource_matches(resources, r)) continue;
    if (!r.namespaced && !cluster_scoped_ok) {
      // PersistentVolumes still come along with the claims of backed-up pods, unless cluster
      // resources are explicitly off (Velero's PVC backup item action).
      const bool pvs = r.gvr.group.empty() && r.gvr.resource == "persistentvolumes";
      if (pvs && include_cluster_resources != false) {
        out.push_back({r, SelectedResource::Keep::Referenced});
      }
      continue;
    }
    out.push_back({r, SelectedResource::Keep::All});
  }
  return out;
}

}  // namespace stillpoint::backup
