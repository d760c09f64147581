// Loading a ClientConfig the way kubectl does: `--kubeconfig` alone, else every file in
// KUBECONFIG merged (first file to define a named entry wins the whole entry; relative paths
// resolve against the file that defined them), else ~/.kube/config, else the in-cluster
// service account. See reference/kubernetes-wire-protocol.md §2.
//
// Not supported (reported as errors, never ignored): auth-provider other than an unexpired
// oidc `id-token` (no refresh), proxy-url. Impersonation (`as`, `as-groups`) is not read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "kube/client_config.h"

namespace stillpoint::kube {

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_env();

struct LoadOptions {
  std::optional<std::string> kubeconfig;          // --kubeconfig: loaded alone, must exist
  std::optional<std::string> context;             // --context
  std::optional<std::string> namespace_override;  // --namespace
  EnvLookup env = process_env();  // KUBECONFIG, HOME, KUBERNETES_SERVICE_*, POD_NAMESPACE
  std::string service_account_dir{kServiceAccountDir};
};

// Errors: InvalidArgument for a bad or inconsistent config (missing context, cluster or user,
// a client certificate without key, two auth methods), NotFound when no configuration exists
// at all or an explicit file is missing, Io for unreadable files. Messages name the file.
core::Result<ClientConfig> load_client_config(const LoadOptions& options);

// In-cluster configuration only (in_cluster_config.h), with --namespace applied.
core::Result<ClientConfig> load_in_cluster_config(const LoadOptions& options);

}  // namespace stillpoint::kube
