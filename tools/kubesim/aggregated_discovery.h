// Aggregated discovery (wire reference §4.2): GET /api and GET /apis answer with one
// APIGroupDiscoveryList when the client's Accept asks for it (apidiscovery.k8s.io v2, or
// v2beta1 as 1.27–1.29 servers do), else the legacy documents of registry.h. Built from the
// same Registry as the legacy documents, so both views always agree. Not modelled: the
// `Stale` freshness of aggregated API servers (kubesim has none) and ETags.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "registry.h"

namespace stillpoint::kubesim {

// The aggregated version the client's Accept header selects, first acceptable media range
// wins as in the real server's negotiation: "v2", "v2beta1", or "" for the legacy document
// (plain application/json, */*, or nothing aggregated offered).
std::string negotiate_aggregated_discovery(std::string_view accept);

// The Content-Type of an aggregated answer: application/json;g=apidiscovery.k8s.io;v=<v>;
// as=APIGroupDiscoveryList.
std::string aggregated_content_type(const std::string& version);

// /api (core = true: one item without a name, the core group) or /apis (every other group),
// versions in preference order, subresources nested under their resource.
nlohmann::json aggregated_discovery(const Registry& registry,
                                    bool core,
                                    const std::string& version);

}  // namespace stillpoint::kubesim
