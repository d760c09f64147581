#include "hooks/backup_planner.h"

#include <set>

#include "core/go_duration.h"
#include "core/text.h"
#include "hooks/annotations.h"

namespace stillpoint::hooks {

std::string resolve_container(const Pod& pod,
                              const std::string& declared,
                              const std::string& context,
                              Findings& findings) {
  if (declared.empty()) {
    if (pod.containers.empty()) {
      findings.error("need at least 1 container", context);
      return {};
    }
    return pod.containers.front();
  }
  if (!pod.has_container(declared)) {
    findings.error("no such container: " + core::go_quote(declared), context);
  }
  return declared;
}

std::optional<std::string> BackupPlanner::why_not_item(const Pod& pod) const {
  const ItemFilter& filter = spec_.filter;
  if (!filter.resources.should_include("pods")) {
    return std::string("pods are not included in the backup's resources");
  }
  if (!filter.namespaces.should_include(pod.namespace_name)) {
    return "namespace " + pod.namespace_name + " is not included in the backup";
  }
  if (!filter.selects_labels(pod.labels)) {
    return std::string("labels do not match the backup's label selector");
  }
  if (auto it = pod.labels.find("velero.io/exclude-from-backup");
      it != pod.labels.end() && it->second == "true") {
    return std::string("labelled velero.io/exclude-from-backup=true");
  }
  if (pod.being_deleted) {
    return std::string("being deleted (metadata.deletionTimestamp is set)");
  }
  return std::nullopt;
}

std::vector<PlannedExecHook> BackupPlanner::phase_hooks(const Pod& pod,
                                                        HookPhase phase,
                                                        Findings& findings) const {
  std::vector<PlannedExecHook> out;
  auto add = [&](const ExecHook& hook, const std::string& name, HookSource source,
                 size_t index) {
    const std::string context =
        source == HookSource::Annotation
            ? std::string(to_string(phase)) + " hook from annotations"
            : "hook " + core::go_quote(name) + ", " + to_string(phase) + "[" +
                  std::to_string(index) + "]";
    PlannedExecHook planned;
    planned.name = name;
    planned.source = source;
    planned.index = index;
    planned.container = resolve_container(pod, hook.container, context, findings);
    planned.command = hook.command;
    planned.on_error = hook.on_error.value_or(OnError::Fail);
    planned.timeout = hook.timeout.value_or(kDefaultHookTimeout);
    if (planned.command.empty()) {
      findings.error("command is required", context);
    }
    out.push_back(std::move(planned));
  };
  if (auto hook = backup_annotation_hook(pod.annotations, phase, findings)) {
    add(*hook, kAnnotationHookName, HookSource::Annotation, 0);
    return out;
  }
  for (const auto& entry : spec_.hooks) {
    if (!entry.selector.applies_to(pod.namespace_name, "pods", pod.labels)) {
      continue;
    }
    const auto& list = phase == HookPhase::Pre ? entry.pre : entry.post;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i]) {
        add(*list[i], entry.name, HookSource::Spec, i);
      }
    }
  }
  return out;
}

PodBackupPlan BackupPlanner::plan(const Pod& pod) const {
  PodBackupPlan plan;
  plan.namespace_name = pod.namespace_name;
  plan.pod_name = pod.name;
  check_hook_annotation_keys(pod.annotations, Operation::Backup, plan.findings);
  plan.pre = phase_hooks(pod, HookPhase::Pre, plan.findings);
  plan.post = phase_hooks(pod, HookPhase::Post, plan.findings);
  if (!pod.volume_spec.is_null()) {
    VolumeSelection volumes = select_pod_volumes(pod.volume_spec, spec_.default_volumes_to_fs_backup);
    plan.volumes = std::move(volumes.volumes);
    // Findings are shown under the pod already: without the selection's "pod ns/name: ".
    const std::string prefix = "pod " + pod.key() + ": ";
    for (const auto& w : volumes.warnings) {
      plan.findings.warn(w.rfind(prefix, 0) == 0 ? w.substr(prefix.size()) : w);
    }
    plan.volume_warnings = std::move(volumes.warnings);
  }
  if (pod.phase != "Running") {
    plan.skipped = true;
    plan.skip_reason = pod.phase.empty()
                           ? "pod has no status.phase: hooks run only on Running pods"
                           : "pod phase is " + pod.phase + ": hooks run only on Running pods";
    return plan;
  }
  // A Running pod whose target container is not running: that hook is skipped at run time.
  std::set<std::string> warned;
  for (const auto* list : {&plan.pre, &plan.post}) {
    for (const auto& hook : *list) {
      const auto it = pod.container_statuses.find(hook.container);
      if (it != pod.container_statuses.end() && !it->second.running &&
          warned.insert(hook.container).second) {
        plan.findings.warn("container " + core::go_quote(hook.container) + " is " +
                           (it->second.state.empty() ? "not running" : it->second.state) +
                           ": its hooks will be skipped unless it is running by then");
      }
    }
  }
  return plan;
}

}  // namespace stillpoint::hooks
