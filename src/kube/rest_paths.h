// Request paths and error context for RestClient (wire reference §3.1): where a collection or
// an object lives, and the "what was being done" prefix of every error message. Pure string
// work, no I/O; names and namespaces are percent-encoded so they cannot change the path.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "kube/rest_client.h"

namespace stillpoint::kube {

// "/api/v1/namespaces/ns/pods", or "/api/v1/pods" when namespace_name is empty (all
// namespaces for a list or watch, or a cluster-scoped resource).
std::string collection_path(const GroupVersionResource& gvr, std::string_view namespace_name);
// collection_path + "/" + name, then "/" + the subresource when gvr names one.
std::string object_path(const GroupVersionResource& gvr,
                        std::string_view namespace_name,
                        std::string_view name);

// "list pods in namespace x", "list deployments.apps in all namespaces",
// "get pods web-0 in namespace x", "delete namespaces x".
std::string describe(std::string_view verb,
                     const GroupVersionResource& gvr,
                     std::string_view namespace_name,
                     std::string_view name);

// The same error, its message prefixed with "<what>: ".
core::Error with_context(core::Error error, std::string_view what);

}  // namespace stillpoint::kube
