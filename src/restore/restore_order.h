// The order in which a restore creates resource types, and the types it never creates. Follows
// Velero's defaults (kubernetes-wire-protocol.md §6.1 and §3.8): dependencies first (CRDs before
// their CRs, namespaces before namespaced objects, PVs before claims before pods, pods before
// ReplicaSets so restored pods get adopted), then everything else alphabetically, then a few
// Cluster API / Carvel types last. Pure functions: no discovery, no user-supplied
// priorities yet (Velero's --restore-resource-priorities), no filtering.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stillpoint::restore {

// Velero's default restore priorities (§6.1): the high-priority list in order, then every other
// group-resource present, alphabetically, then the low-priority list in order. Input and output
// are canonical "resource.group" names ("pods", "deployments.apps",
// "customresourcedefinitions.apiextensions.k8s.io"). Only names present in the input are
// returned; duplicates removed. Never-restored resources are ordered like any other: the
// caller drops them with never_restored().
std::vector<std::string> restore_order(std::vector<std::string> group_resources);

// Resources Velero never restores (§3.8): nodes, events, events.events.k8s.io,
// backups.velero.io, restores.velero.io, resticrepositories.velero.io, csinodes.storage.k8s.io,
// volumeattachments.storage.k8s.io, backuprepositories.velero.io,
// apiservices.apiregistration.k8s.io. `group_resource` is canonical.
bool never_restored(std::string_view group_resource);

}  // namespace stillpoint::restore
