// Parsing discovery documents (wire reference §4) into ApiResources: the aggregated
// APIGroupDiscoveryList (v2 and v2beta1 share a shape) and the legacy APIVersions,
// APIGroupList and APIResourceList. Pure: no I/O, tested on canned documents; discover()
// decides which to fetch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/discovery.h"

namespace stillpoint::kube {

// What discover() sends as Accept for /api and /apis: aggregated v2, then v2beta1 (1.27–1.29),
// then the legacy document.
inline constexpr std::string_view kAggregatedDiscoveryAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";

// True when a response's Content-Type is an aggregated discovery list (parameters in any
// order, extra ones such as charset tolerated, case-insensitive).
bool is_aggregated_discovery(std::string_view content_type);

// Appends the resources of every group's first (preferred) version; subresources are not
// resources. A version marked freshness "Stale" is skipped with a warning.
core::Status parse_aggregated(const nlohmann::json& doc, DiscoveryResult* out);

// GET /api → the core versions ("v1"), preferred first.
core::Result<std::vector<std::string>> parse_api_versions(const nlohmann::json& doc);

struct PreferredGroupVersion {
  std::string group;
  std::string version;
};
// GET /apis → each group's preferred version (the first listed when none is marked).
core::Result<std::vector<PreferredGroupVersion>> parse_api_group_list(const nlohmann::json& doc);

// GET /api/v1 or /apis/{group}/{version}: appends its resources, skipping subresources
// ("pods/exec").
core::Status parse_resource_list(const nlohmann::json& doc,
                                 std::string_view group,
                                 std::string_view version,
                                 DiscoveryResult* out);

}  // namespace stillpoint::kube
