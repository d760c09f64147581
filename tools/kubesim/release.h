// Which Kubernetes release kubesim answers like, where releases differ in what a backup tool
// sees: the service account token a pod gets (a projected `kube-api-access-<5>` volume since
// 1.22, a Secret `default-token-<5>` volume made by the token controller before), and the
// defaults that later releases added (Namespace `kubernetes.io/metadata.name` label since 1.21,
// Service `internalTrafficPolicy` since 1.22, Job `completionMode`/`suspend` since 1.21).
// `Current` is the release kubesim's /version reports; `V1_20` is the realcluster tier's.
#pragma once

namespace stillpoint::kubesim {

enum class KubeRelease { Current, V1_20 };

}  // namespace stillpoint::kubesim
