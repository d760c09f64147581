// Pods for `hooks plan` / `hooks lint` from the cluster (when --pods is not given): one paged
// list through kube::RestClient, of the spec's namespaces when it names them plainly, else of
// all namespaces (the planner filters as it does for pods from a file). Blocks until the list
// is done; runs its own I/O context. Errors (unreachable server, 403) come back as values
// whose one-line message names the server.
#pragma once

#include <string>
#include <vector>

#include "cli/cluster_flags.h"
#include "core/includes_excludes.h"
#include "core/result.h"
#include "hooks/pod.h"

namespace stillpoint::cli {

// The namespaces worth listing for a spec's namespace filter: its includes when every one is a
// plain name (no glob characters, not "*"); empty means all namespaces.
std::vector<std::string> namespaces_to_list(const core::IncludesExcludes& namespaces);

// `namespaces` empty: all namespaces. Pods come in namespace order, then the server's order.
core::Result<std::vector<hooks::Pod>> list_cluster_pods(const ClusterFlags& flags,
                                                        const std::vector<std::string>& namespaces);

}  // namespace stillpoint::cli
