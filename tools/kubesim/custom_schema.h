// What a real API server does with a custom resource's structural schema (the CRD's
// openAPIV3Schema of the version): pruning of fields the schema does not name, and the values
// of additionalPrinterColumns for Table output. Only what clients observe is followed: no
// validation of types, enums or required fields (kubesim stores what it is given).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

// Removes every field the schema does not declare, as the apiserver's structural pruning does:
// objects keep only `properties` unless `x-kubernetes-preserve-unknown-fields: true`; map
// values follow `additionalProperties`, array elements `items`. At the root, apiVersion, kind
// and metadata are always kept. A null schema prunes nothing (a CRD without one).
void prune_unknown_fields(nlohmann::json& object, const nlohmann::json& schema);

// The value at a simple JSONPath (`.status.hookStatus.hooksAttempted`), or null when a step
// is missing: what a printer column's jsonPath selects. Paths with filters, wildcards or
// indexes select nothing.
nlohmann::json json_path_value(const nlohmann::json& object, const std::string& path);

}  // namespace stillpoint::kubesim
