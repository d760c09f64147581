// A restored PersistentVolume whose name is already taken in the cluster by a volume bound to
// another claim: the typical case is a namespace-mapped restore (--namespace-mappings app1:app2)
// next to the live original, where the backed-up PV `pv1` still exists, bound to app1/data.
//
// Restoring as before (skip the PV as "exists", keep the claim's volumeName) leaves the copy's
// claim Pending for ever: the PV controller never binds a claim to a volume whose claimRef
// names another claim, and the pod waits the whole hook wait limit. Velero renames such a PV
// when it restores it from a snapshot (shouldRenamePV: namespace mapped and the PV exists) and
// re-provisions the claim's volume when the data comes from a pod volume backup
// (pvsToProvision: the PV is not restored and the claim's volumeName is cleared). stillpoint
// takes no snapshots, and a renamed copy of a hostPath, local or NFS volume would point at the
// very same storage as the original, so the copy's restore-wait would overwrite the live
// original's data. The one safe choice is Velero's pod-volume rule: the PV is not restored, the
// restored claim is re-provisioned by its StorageClass (it loses volumeName), and the pod's
// volume data, when the backup holds it, is copied in by restore-wait as usual. When the
// backup holds no data for a pod's volume on such a claim, the pod gets a warning that its
// volume starts empty.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::restore {

// "namespace/name" of the claim a PV's spec.claimRef names, or "" when it names none.
std::string claim_ref_of(const nlohmann::json& volume);

// When the live PV (as read from the cluster) is bound, or reserved, for a claim other than
// the one the restored PV is meant for (`prepared`, after namespace mapping), that other
// claim ("namespace/name"); nullopt when the live volume is free or already the restored
// claim's.
std::optional<std::string> taken_by_another_claim(const nlohmann::json& prepared,
                                                  const nlohmann::json& live);

}  // namespace stillpoint::restore
