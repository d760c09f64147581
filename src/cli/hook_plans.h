// Building the plans `hooks plan` and `hooks lint` show: pods from a file or from the cluster,
// an optional Backup or Restore spec (backup with no hooks in spec when absent), one plan per
// pod that is an item of the operation, in the source's order. Both sources share one
// planning path; only where the pods come from differs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "hooks/plan.h"
#include "hooks/pod.h"
#include "hooks/spec_file.h"

namespace stillpoint::cli {

struct PlanRequest {
  std::string pods_file;  // for build_plans(request) only
  std::optional<std::string> spec_file;
  hooks::Duration hook_wait_limit = hooks::kDefaultRestoreHookWait;
};

struct PlanSet {
  bool restore = false;
  std::vector<hooks::PodBackupPlan> backup_plans;
  std::vector<hooks::PodRestorePlan> restore_plans;
  std::vector<std::string> spec_warnings;  // already prefixed with the file and document
  size_t pods_read = 0;
};

// Where the pods come from, given the parsed spec (a cluster source lists only the namespaces
// the spec names). The spec is read first, so a bad spec fails before any pod is fetched.
using PodSource =
    std::function<core::Result<std::vector<hooks::Pod>>(const hooks::ParsedSpec& spec)>;

// Pods from request.pods_file.
core::Result<PlanSet> build_plans(const PlanRequest& request);
core::Result<PlanSet> build_plans(const PlanRequest& request, const PodSource& pods);

}  // namespace stillpoint::cli
