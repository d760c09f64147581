// Decides, for each pod, whether it is an item of the backup and which pre and post hooks run
// on it (../shared/spec/hooks.md §2–3): annotation hooks replace spec hooks per phase, spec
// entries in order, containers resolved (first container when unset; native sidecars
// allowed), defaults applied (onError Fail, timeout 30s, clamped to (0, 4h]). Pure: no I/O.
#pragma once

#include <optional>
#include <string>

#include "hooks/model.h"
#include "hooks/plan.h"
#include "hooks/pod.h"

namespace stillpoint::hooks {

class BackupPlanner {
 public:
  // `spec` must outlive the planner.
  explicit BackupPlanner(const BackupSpec& spec) : spec_(spec) {}

  // nullopt when the pod is an item; otherwise why it is not (excluded namespace, label,
  // `velero.io/exclude-from-backup`, being deleted, pods not included).
  std::optional<std::string> why_not_item(const Pod& pod) const;

  PodBackupPlan plan(const Pod& pod) const;

 private:
  std::vector<PlannedExecHook> phase_hooks(const Pod& pod, HookPhase phase, Findings& f) const;

  const BackupSpec& spec_;
};

// Resolves a hook's container: empty → the first container; otherwise the name must be a
// container or a native sidecar. Adds `no such container: "<name>"` (or `need at least 1
// container`) to `findings` when it is not. Shared by backup and restore planning.
std::string resolve_container(const Pod& pod,
                              const std::string& declared,
                              const std::string& context,
                              Findings& findings);

}  // namespace stillpoint::hooks
