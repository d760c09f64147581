// Which API resources a backup lists, from discovery and the Backup's filters, following
// Velero: only resources that support `list`; includedResources/excludedResources matched
// against every name a resource answers to (plural, singular, short names, kind,
// "resource.group"); cluster-scoped resources only when includeClusterResources says so (by
// default: only when every namespace is included); namespaces themselves always listed, so
// the included ones are restored first.
#pragma once

#include <optional>
#include <vector>

#include "core/includes_excludes.h"
#include "kube/discovery.h"
#include "kube/resource_filter.h"

namespace stillpoint::backup {

struct SelectedResource {
  enum class Keep {
    All,                 // every item the namespace and label filters select
    IncludedNamespaces,  // `namespaces`: only the included ones, even with cluster resources off
    Referenced,          // `persistentvolumes` with cluster resources off: those bound to
                         // claims of backed-up pods
  };
  kube::ApiResource resource;
  Keep keep = Keep::All;
};

std::vector<SelectedResource> select_resources(const kube::DiscoveryResult& discovery,
                                               const core::IncludesExcludes& resources,
                                               const core::IncludesExcludes& namespaces,
                                               std::optional<bool> include_cluster_resources);

}  // namespace stillpoint::backup
