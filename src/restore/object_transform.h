// Turning an item exactly as it was backed up into the object a restore POSTs, following Velero's
// restore path (kubernetes-wire-protocol.md §3.8): server-generated and cluster-specific fields
// are stripped, namespaces are mapped, Velero's backup/restore labels are added, and the
// per-kind restore item actions (pods, services, volumes, claims, token secrets, service
// accounts, jobs, role bindings) are applied. Items Velero deliberately does not re-create come
// back with a reason instead.
//
// Pure: no I/O, no discovery, no cluster lookups. It does not decide whether a resource type is
// restored at all (restore_order.h's never_restored), does not restore status, and does not
// handle AlreadyExists; the runner does.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stillpoint::restore {

struct TransformContext {
  std::string backup_name;
  std::string restore_name;
  std::map<std::string, std::string> namespace_mapping;  // source ns -> target ns
  // PVs (by name) that were not restored because they are dynamically provisioned
  // (reclaimPolicy Delete, no snapshot): claims bound to them have their binding reset so
  // the provisioner makes a new volume.
  std::set<std::string> reprovisioned_volumes;
};

struct Transformed {
  nlohmann::json object;    // ready for POST (valid only when skip_reason is empty)
  std::string skip_reason;  // non-empty: Velero does not re-create this object; why, for the log
};

// `object` is the item exactly as backed up (compact JSON as read from the cluster, including
// status, uid, resourceVersion, managedFields, ...). `group_resource` is canonical ("pods",
// "services", "persistentvolumes", "jobs.batch", "rolebindings.rbac.authorization.k8s.io").
//
// The item comes from an untrusted archive: any field may be missing or of the wrong type, and
// this never throws. Fields of the wrong type that a rule only reads or removes are left for
// the API server to judge; when the object cannot carry the restore labels at all (not an
// object, metadata or metadata.labels not objects) it is skipped with a reason starting
// "invalid item:" (or "not a JSON object"), which a caller may want to report as a warning
// rather than as a deliberate skip.
Transformed prepare_for_restore(nlohmann::json object,
                                std::string_view group_resource,
                                const TransformContext& context);

// Removes a pod's legacy service account token volume (`<account>-token-*`, injected by the
// ServiceAccount admission plugin of clusters before 1.21 and naming a secret that is not
// restored) and every container's and init container's mount of it. prepare_for_restore does
// this; a caller that replaces the init containers afterwards (restore hooks) does it again.
// The projected `kube-api-access-*` volume of current clusters is kept, as Velero keeps it: it
// names nothing that is not restored, and admission adds no second one (docs/restore.md).
void drop_service_account_token_volumes(nlohmann::json& pod);

// A label value for `name`: itself when it fits in 63 characters, else its first 57 characters,
// "-" and 5 hex digits of its 64-bit FNV-1a hash (stable, so every object of one restore gets
// the same value).
std::string label_value(std::string_view name);

}  // namespace stillpoint::restore
