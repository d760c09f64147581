// Building the plans `hooks plan` and `hooks lint` show: pods from a file, an optional Backup
// or Restore spec (backup with no hooks in spec when absent), one plan per pod that is an
// item of the operation, in file order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "hooks/plan.h"

namespace stillpoint::cli {

struct PlanRequest {
  std::string pods_file;
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

core::Result<PlanSet> build_plans(const PlanRequest& request);

}  // namespace stillpoint::cli
