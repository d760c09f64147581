// A pod's volumes that are PersistentVolumeClaims, read from the pod's JSON as the cluster or
// an archive gives it. Backup needs the claims of each pod (to write each claim and its volume
// with the pod's ItemBlock); restore needs them to tell which pod volume a re-provisioned claim
// backs, and which claims of an unschedulable pod to check.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::hooks {

struct ClaimVolume {
  std::string volume;  // the pod's volume name
  std::string claim;   // spec.volumes[].persistentVolumeClaim.claimName
};

// In spec order; volumes without a claim name are left out, and so is anything of the wrong
// type (the input is untrusted).
std::vector<ClaimVolume> claim_volumes(const nlohmann::json& pod);

}  // namespace stillpoint::hooks
