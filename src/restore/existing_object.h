// Whether an object that already exists in the cluster says what the backup says — decides
// between a quiet skip and a warning when a restore finds it (existing-resource-policy none),
// and whether a merge patch is needed (update). Velero compares the same way after stripping
// (wire-protocol reference §3.8, AlreadyExists).
#pragma once

#include <nlohmann/json.hpp>

namespace stillpoint::restore {

// True when every top-level field the backed-up object sets (besides metadata and status) is
// equal in the live object, and so are its labels and annotations (velero.io/* labels aside:
// each restore sets its own). Fields only the server sets (defaults) make objects such as pods
// differ; the caller's warning says "differs", it does not guess.
bool same_as_backup(const nlohmann::json& live, const nlohmann::json& wanted);

}  // namespace stillpoint::restore
