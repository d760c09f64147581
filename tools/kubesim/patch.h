// PATCH bodies: RFC 7386 merge patch, RFC 6902 JSON patch, and an approximation of
// Kubernetes' strategic merge patch that is what kubectl apply/edit need for built-in types:
// lists of objects that carry a `name` (containers, volumes, env, ports…) merge by name,
// `$patch: delete` removes an element, other lists are replaced. It does not read the
// per-field patch strategies of the Go types.
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::kubesim {

nlohmann::json merge_patch(nlohmann::json target, const nlohmann::json& patch);
core::Result<nlohmann::json> json_patch(const nlohmann::json& target, const nlohmann::json& patch);
nlohmann::json strategic_merge_patch(nlohmann::json target, const nlohmann::json& patch);

}  // namespace stillpoint::kubesim
