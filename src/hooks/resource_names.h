// Resolving the resource names users write in includedResources/excludedResources without a
// cluster: kind, singular, plural and short names of the built-in types, case-insensitive,
// as client-go's RESTMapper would (so `pod`, `po`, `Pods` all mean `pods`). Names that are
// not built in (custom resources, typos) are returned as written, as Velero keeps
// unresolvable entries verbatim. With a cluster, discovery refines this (issue 4).
#pragma once

#include <string>
#include <string_view>

namespace stillpoint::hooks {

// Plural group-qualified name: "pods", "deployments.apps", or the input unchanged.
std::string canonical_resource(std::string_view name);

// True when `name` resolved to a built-in type.
bool is_known_resource(std::string_view name);

}  // namespace stillpoint::hooks
