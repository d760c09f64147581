// What will run for one pod: hooks with every default applied and every container resolved,
// plus the findings that explain fallbacks (warnings) and hooks that cannot run (errors).
// `hooks plan` prints these, `hooks lint` judges them, and the backup and restore
// orchestrators execute them — one source of truth for "which hooks run".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/finding.h"
#include "hooks/model.h"
#include "hooks/volume_selection.h"

namespace stillpoint::hooks {

struct PlannedExecHook {
  std::string name;  // spec entry name, or kAnnotationHookName
  HookSource source = HookSource::Spec;
  size_t index = 0;  // position in the entry's pre/post list
  std::string container;
  std::vector<std::string> command;
  OnError on_error = OnError::Fail;
  Duration timeout = kDefaultHookTimeout;
};

struct PodBackupPlan {
  std::string namespace_name;
  std::string pod_name;
  bool skipped = false;
  std::string skip_reason;
  std::vector<PlannedExecHook> pre;
  std::vector<PlannedExecHook> post;
  // Volumes whose data is copied between pre and post (hooks/volume_selection.h); what
  // selection skipped is in findings.warnings too.
  std::vector<PodVolume> volumes;
  std::vector<std::string> volume_warnings;
  Findings findings;
};

struct PlannedRestoreExecHook {
  std::string name;
  HookSource source = HookSource::Spec;
  size_t index = 0;  // position in the entry's postHooks list (init entries count too)
  std::string container;
  std::vector<std::string> command;
  OnError on_error = OnError::Continue;
  Duration exec_timeout = kDefaultHookTimeout;
  Duration wait_timeout = kDefaultRestoreHookWait;
  bool wait_for_ready = false;
};

struct PodRestorePlan {
  std::string namespace_name;  // the target namespace, after namespaceMapping
  std::string pod_name;
  bool skipped = false;
  std::string skip_reason;
  nlohmann::json init_containers = nlohmann::json::array();  // the final list
  std::vector<PlannedRestoreExecHook> exec;                  // grouped by container
  Findings findings;
};

}  // namespace stillpoint::hooks
