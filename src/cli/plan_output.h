// Rendering hook plans: the JSON shape scripts parse (`hooks plan -o json`, documented in
// docs/hooks.md; YAML is the same tree) and the table people read.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/plan.h"

namespace stillpoint::cli {

// Keys keep the documented order (ordered_json), so people reading the JSON see the shape.
nlohmann::ordered_json plan_json(const std::vector<hooks::PodBackupPlan>& plans);
nlohmann::ordered_json plan_json(const std::vector<hooks::PodRestorePlan>& plans);

std::string plan_table(const std::vector<hooks::PodBackupPlan>& plans);
std::string plan_table(const std::vector<hooks::PodRestorePlan>& plans);

}  // namespace stillpoint::cli
