// Hooks declared as pod annotations, with exactly Velero's keys
// (internal/hook/item_hook_handler.go; ../shared/spec/hooks.md §1):
//   backup:        pre.hook.backup.velero.io/{container,command,on-error,timeout}
//                  post.hook.backup.velero.io/{...}
//                  hook.backup.velero.io/{...}  (legacy pre; read only when
//                                                 pre.…/command is absent or empty)
//   restore exec:  post.hook.restore.velero.io/{container,command,on-error,exec-timeout,
//                                               wait-timeout,wait-for-ready}
//   restore init:  init.hook.restore.velero.io/{container-image,container-name,command}
//
// Where Velero silently ignores or falls back, these functions do the same but add a
// warning naming the key and value — including unknown keys under the hook prefixes
// (`post.hook.restore.velero.io/timeout`, velero#6764).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/label_selector.h"
#include "hooks/finding.h"
#include "hooks/model.h"

namespace stillpoint::hooks {

namespace annotation {
inline constexpr const char* kBackupPrePrefix = "pre.hook.backup.velero.io/";
inline constexpr const char* kBackupPostPrefix = "post.hook.backup.velero.io/";
inline constexpr const char* kBackupLegacyPrefix = "hook.backup.velero.io/";
inline constexpr const char* kRestoreExecPrefix = "post.hook.restore.velero.io/";
inline constexpr const char* kRestoreInitPrefix = "init.hook.restore.velero.io/";
}  // namespace annotation

// The backup hook the annotations declare for `phase`, if any.
std::optional<ExecHook> backup_annotation_hook(const core::Labels& annotations,
                                               HookPhase phase,
                                               Findings& findings);

std::optional<RestoreExecHook> restore_exec_annotation_hook(const core::Labels& annotations,
                                                            Findings& findings);

// The init container the annotations declare, if any: {name, image[, command]}. An unnamed
// one is called `restore-init-<8 hex>`, the hex derived from the pod's namespace/name so
// that a plan and the restore that follows it agree.
std::optional<nlohmann::json> restore_init_annotation_container(const core::Labels& annotations,
                                                                const std::string& pod_key,
                                                                Findings& findings);

enum class Operation { Backup, Restore };
// Warns about annotations under the operation's hook prefixes that nothing reads.
void check_hook_annotation_keys(const core::Labels& annotations,
                                Operation operation,
                                Findings& findings);

}  // namespace stillpoint::hooks
