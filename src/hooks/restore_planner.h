// Decides, for each pod in a backup, whether it is restored, the init containers it will be
// created with, and the exec hooks that run once it is up (../shared/spec/hooks.md §4):
// selectors match the TARGET namespace (after namespaceMapping); annotation init and exec
// hooks replace spec ones independently; init order is restore-wait (kept first), hook
// containers, then the pod's own; exec hooks are grouped by container. Errors in the plan's
// findings: a hook init container named like one of the pod's own, or mounting a volume the
// pod does not have (the API server would refuse the pod). Pure: no I/O.
#pragma once

#include <optional>
#include <string>

#include "hooks/model.h"
#include "hooks/plan.h"
#include "hooks/pod.h"

namespace stillpoint::hooks {

// Velero's volume-restore helper init container (restorehelper.WaitInitContainer).
inline constexpr const char* kRestoreWaitContainer = "restore-wait";

class RestorePlanner {
 public:
  // `spec` must outlive the planner. `hook_wait_limit` is the restore's --hook-wait-timeout,
  // the wait of exec hooks that set none.
  explicit RestorePlanner(const RestoreSpec& spec,
                          Duration hook_wait_limit = kDefaultRestoreHookWait)
      : spec_(spec), hook_wait_limit_(hook_wait_limit) {}

  // Why a pod of the backup is not re-created: the restore's filters leave it out
  // (Filtered), or it is selected but Velero never re-creates such pods (NotRecreated:
  // completed or mirror pods), which a plan lists as skipped.
  struct Exclusion {
    enum class Kind { Filtered, NotRecreated } kind;
    std::string reason;
  };
  // nullopt when the pod is restored.
  std::optional<Exclusion> why_not_restored(const Pod& pod) const;

  std::string target_namespace(const std::string& source_namespace) const;

  PodRestorePlan plan(const Pod& pod) const;

 private:
  nlohmann::json init_containers(const Pod& pod, const std::string& target, Findings& f) const;
  std::vector<PlannedRestoreExecHook> exec_hooks(const Pod& pod,
                                                 const std::string& target,
                                                 Findings& f) const;

  const RestoreSpec& spec_;
  Duration hook_wait_limit_;
};

}  // namespace stillpoint::hooks
