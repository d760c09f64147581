// includedResources/excludedResources of a Backup or Restore matched against a served API
// resource, as Velero does: against every name the resource answers to (plural, singular,
// short names, kind, "resource.group").
#pragma once

#include "core/includes_excludes.h"
#include "kube/discovery.h"

namespace stillpoint::kube {

// Whether a resource passes includedResources/excludedResources (excludes win).
bool resource_matches(const core::IncludesExcludes& filter, const ApiResource& resource);

}  // namespace stillpoint::kube
