// In-cluster configuration, as client-go's rest.InClusterConfig: a process running in a pod
// reaches the API server through the `kubernetes` Service (KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT, an IPv6 host written in brackets) and authenticates with its
// service account: the token, the CA and the namespace mounted under
// /var/run/secrets/kubernetes.io/serviceaccount.
//
// The token is not copied into the config: it stays a token file, which CredentialSource
// re-reads at most every kTokenFileRefresh (client-go's cached token source: one minute) and
// after a 401, because bound service-account tokens rotate (the kubelet rewrites the file
// before they expire). The token's content never reaches a message or a log.
//
// Not here: kubeconfig files (kubeconfig.h, which falls back to this when none exists, as
// kubectl does).
#pragma once

#include <string>

#include "core/result.h"
#include "kube/client_config.h"
#include "kube/kubeconfig.h"

namespace stillpoint::kube {

struct InClusterPaths {
  EnvLookup env = process_env();  // KUBERNETES_SERVICE_HOST/PORT, POD_NAMESPACE
  std::string service_account_dir{kServiceAccountDir};  // token, ca.crt, namespace
};

// True when both KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set and non-empty.
bool in_cluster_available(const EnvLookup& env);

// The in-cluster ClientConfig: server https://HOST:PORT, CA from ca.crt (verified against it;
// when ca.crt cannot be read the system roots are used, as client-go does), the token file,
// namespace from POD_NAMESPACE, else the namespace file, else "default".
// Errors: NotFound naming the unset variable(s); Io naming the token file that cannot be read.
core::Result<ClientConfig> in_cluster_config(const InClusterPaths& paths = {});

}  // namespace stillpoint::kube
