// The hook vocabulary: what a Backup or Restore spec and pod annotations declare, before any
// defaulting. Defaults are applied when a plan is made (plan.h), so "unset" stays
// distinguishable from "set to the default" — Velero's own bugs came from defaulting in place
// (velero#4499, #3622).
//
// Field names and meanings: ../shared/spec/hooks.md §1 and Velero's
// pkg/apis/velero/v1/{backup,restore}_types.go.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/go_duration.h"
#include "core/includes_excludes.h"
#include "core/label_selector.h"

namespace stillpoint::hooks {

using core::Duration;

// Bounds with their reasons (../shared/spec/hooks.md §3, Velero's defaultTimeout and
// maxHookTimeout in pkg/podexec/pod_command_executor.go).
inline constexpr Duration kDefaultHookTimeout = std::chrono::seconds(30);
inline constexpr Duration kMaxHookTimeout = std::chrono::hours(4);
// How long a restore waits for a container to come up when a hook sets no waitTimeout;
// Velero waits forever here (velero#9744), stillpoint never does.
inline constexpr Duration kDefaultRestoreHookWait = std::chrono::minutes(10);

enum class OnError { Continue, Fail };
enum class HookPhase { Pre, Post };
enum class HookSource { Annotation, Spec };

// Name used for hooks that come from annotations (Velero's hookName for them).
inline constexpr const char* kAnnotationHookName = "<from-annotation>";

const char* to_string(OnError v);
const char* to_string(HookPhase v);
const char* to_string(HookSource v);

// Which objects a spec entry applies to: Velero's BackupResourceHookSpec selector fields
// (ResourceHookSelector.applicableTo in internal/hook/item_hook_handler.go). Resource names
// are already resolved to their plural form (`po` → `pods`).
struct ResourceSelector {
  core::IncludesExcludes namespaces;
  core::IncludesExcludes resources;
  std::optional<core::LabelSelector> label_selector;  // nullopt = no filter

  bool applies_to(std::string_view namespace_name,
                  std::string_view resource,
                  const core::Labels& labels) const;
};

// A backup exec hook as declared. Unset optionals take their defaults at planning time.
struct ExecHook {
  std::string container;  // empty: the pod's first container
  std::vector<std::string> command;
  std::optional<OnError> on_error;
  std::optional<Duration> timeout;
};

struct BackupResourceHookSpec {
  std::string name;
  ResourceSelector selector;
  // An entry without `exec` keeps its slot (nullopt) so later hooks keep their index.
  std::vector<std::optional<ExecHook>> pre;
  std::vector<std::optional<ExecHook>> post;
};

struct RestoreExecHook {
  std::string container;
  std::vector<std::string> command;
  std::optional<OnError> on_error;
  std::optional<Duration> exec_timeout;
  std::optional<Duration> wait_timeout;
  std::optional<bool> wait_for_ready;
};

struct RestoreInitHook {
  std::vector<nlohmann::json> init_containers;  // full corev1.Container objects, verbatim
  std::optional<Duration> timeout;              // accepted, never used (as Velero)
};

struct RestoreResourceHook {
  std::optional<RestoreExecHook> exec;
  std::optional<RestoreInitHook> init;
};

struct RestoreResourceHookSpec {
  std::string name;
  ResourceSelector selector;  // resources are ignored for restore hooks: always pods
  std::vector<RestoreResourceHook> post_hooks;
};

// A Backup's or Restore's own item filters (spec.includedNamespaces, …, labelSelector or
// orLabelSelectors). They decide which objects are items at all; hooks apply only to items.
struct ItemFilter {
  core::IncludesExcludes namespaces;
  core::IncludesExcludes resources;
  std::optional<core::LabelSelector> label_selector;
  std::vector<core::LabelSelector> or_label_selectors;

  // Labels only: labelSelector must match, or any of orLabelSelectors; neither set = all.
  bool selects_labels(const core::Labels& labels) const;
};

// The parts of a Backup spec that decide which pods are items and which hooks they get.
struct BackupSpec {
  std::string name;
  ItemFilter filter;
  // spec.defaultVolumesToFsBackup: copy every eligible pod volume's data unless excluded
  // (hooks/volume_selection.h); otherwise only those named in backup-volumes.
  bool default_volumes_to_fs_backup = false;
  std::vector<BackupResourceHookSpec> hooks;
};

struct RestoreSpec {
  std::string name;
  std::string backup_name;
  ItemFilter filter;  // matched against the namespaces in the backup (before mapping)
  std::map<std::string, std::string> namespace_mapping;
  std::vector<RestoreResourceHookSpec> hooks;
};

}  // namespace stillpoint::hooks
