#include "cli/hook_plans.h"

#include "cli/pod_source.h"
#include "hooks/backup_planner.h"
#include "hooks/restore_planner.h"

namespace stillpoint::cli {

core::Result<PlanSet> build_plans(const PlanRequest& request) {
  const PodSource from_file = [&request](const hooks::ParsedSpec&) {
    return load_pods(request.pods_file);
  };
  return build_plans(request, from_file);
}

core::Result<PlanSet> build_plans(const PlanRequest& request, const PodSource& source) {
  hooks::ParsedSpec spec{hooks::BackupSpec{}, {}};
  if (request.spec_file) {
    auto parsed = hooks::load_spec_file(*request.spec_file);
    if (!parsed) {
      return core::unexpected(parsed.error());
    }
    spec = std::move(*parsed);
  }
  auto pods = source(spec);
  if (!pods) {
    return core::unexpected(pods.error());
  }
  PlanSet set;
  set.restore = spec.is_restore();
  set.spec_warnings = std::move(spec.warnings);
  set.pods_read = pods->size();
  if (set.restore) {
    hooks::RestorePlanner planner(std::get<hooks::RestoreSpec>(spec.spec),
                                  request.hook_wait_limit);
    for (const auto& pod : *pods) {
      const auto exclusion = planner.why_not_restored(pod);
      if (exclusion && exclusion->kind == hooks::RestorePlanner::Exclusion::Kind::Filtered) {
        continue;
      }
      auto plan = planner.plan(pod);
      if (exclusion) {
        plan.skipped = true;
        plan.skip_reason = exclusion->reason;
      }
      set.restore_plans.push_back(std::move(plan));
    }
  } else {
    hooks::BackupPlanner planner(std::get<hooks::BackupSpec>(spec.spec));
    for (const auto& pod : *pods) {
      if (planner.why_not_item(pod)) {
        continue;
      }
      set.backup_plans.push_back(planner.plan(pod));
    }
  }
  return set;
}

}  // namespace stillpoint::cli
