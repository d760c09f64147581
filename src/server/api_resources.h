// The objects a server serves, in one API group: `stillpoint.io` (our CRDs, deploy/crds) or
// `velero.io` (Velero's CRDs, for a cluster moving off Velero: `--api-group velero.io`). The
// field names are Velero's in both, so the same code reads either.
#pragma once

#include <string>

#include "kube/resource_types.h"

namespace stillpoint::server {

inline constexpr const char* kStillpointGroup = "stillpoint.io";
inline constexpr const char* kVeleroGroup = "velero.io";

struct ApiResources {
  std::string group;
  kube::GroupVersionResource backups;
  kube::GroupVersionResource restores;
  kube::GroupVersionResource locations;  // backupstoragelocations
  kube::GroupVersionResource schedules;
  kube::GroupVersionResource delete_requests;  // deletebackuprequests

  explicit ApiResources(std::string api_group);
  // The same resource's status subresource (status patches touch status only).
  static kube::GroupVersionResource status_of(kube::GroupVersionResource gvr);
};

}  // namespace stillpoint::server
