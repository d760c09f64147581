// The mutating admission plugins of a default kube-apiserver whose changes a backup tool reads
// back and must restore correctly (they run on create, before validation):
//
// - ServiceAccount (plugin/pkg/admission/serviceaccount/admission.go): `serviceAccountName:
//   default`, the service account must exist (403 otherwise, the real wording), and every
//   container and init container without a mount at /var/run/secrets/kubernetes.io/
//   serviceaccount gets the token volume: a projected `kube-api-access-<5>` volume on current
//   releases, the token Secret's `default-token-<5>` volume on 1.20 (KubeRelease::V1_20).
//   A pod that already has such a volume (a restored pod that kept it) keeps it and gets no
//   second one.
// - Priority (plugin/pkg/admission/priority): `priority` and `preemptionPolicy` from the
//   class (0 and PreemptLowerPriority without one; the two system classes), 403 for an unknown
//   class or a client-set value that disagrees.
// - DefaultTolerationSeconds: the not-ready and unreachable NoExecute tolerations, 300 s.
// - StorageObjectInUseProtection: the `kubernetes.io/pvc-protection` and
//   `kubernetes.io/pv-protection` finalizers (volume_protection.h removes them).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "release.h"
#include "status.h"
#include "store.h"

namespace stillpoint::kubesim {

inline constexpr const char* kServiceAccountMountPath =
    "/var/run/secrets/kubernetes.io/serviceaccount";
inline constexpr const char* kRootCaConfigMap = "kube-root-ca.crt";

// Admits a new pod in `ns`; a 403 when it must be refused. `pod` is changed in place.
std::optional<ApiError> admit_pod(const Store& store,
                                  const std::string& ns,
                                  nlohmann::json& pod,
                                  KubeRelease release);

// The protection finalizer of a new claim or volume (`resource` is the store key).
void admit_storage_object(const std::string& resource, nlohmann::json& object);

// Every mutating admission plugin above, and DefaultStorageClass (default_storage_class.h),
// for a new object of store key `resource` in `ns`: the one entry the create path calls. A 403
// when the object must be refused. `storage_protection`: whether the protection finalizers are
// added (only when something removes them).
std::optional<ApiError> admit(const Store& store,
                              const std::string& resource,
                              const std::string& ns,
                              nlohmann::json& object,
                              KubeRelease release,
                              bool storage_protection);

}  // namespace stillpoint::kubesim
