#include "hooks/restore_planner.h"

#include <algorithm>

#include "core/text.h"
#include "hooks/annotations.h"
#include "hooks/backup_planner.h"

namespace stillpoint::hooks {

std::string RestorePlanner::target_namespace(const std::string& source_namespace) const {
  const auto it = spec_.namespace_mapping.find(source_namespace);
  return it == spec_.namespace_mapping.end() ? source_namespace : it->second;
}

std::optional<RestorePlanner::Exclusion> RestorePlanner::why_not_restored(const Pod& pod) const {
  using Kind = Exclusion::Kind;
  const ItemFilter& filter = spec_.filter;
  if (!filter.resources.should_include("pods")) {
    return Exclusion{Kind::Filtered, "pods are not included in the restore's resources"};
  }
  if (!filter.namespaces.should_include(pod.namespace_name)) {
    return Exclusion{Kind::Filtered,
                     "namespace " + pod.namespace_name + " is not included in the restore"};
  }
  if (!filter.selects_labels(pod.labels)) {
    return Exclusion{Kind::Filtered, "labels do not match the restore's label selector"};
  }
  // Velero skips these (pkg/restore/restore.go): a completed pod would only run to
  // completion again, and a mirror pod belongs to its node's kubelet.
  if (pod.phase == "Succeeded" || pod.phase == "Failed") {
    return Exclusion{Kind::NotRecreated,
                     "pod is completed (phase " + pod.phase + "): not restored"};
  }
  if (pod.annotations.count("kubernetes.io/config.mirror") > 0) {
    return Exclusion{Kind::NotRecreated, "mirror pod (kubernetes.io/config.mirror): not restored"};
  }
  return std::nullopt;
}

namespace {

// A hook's init container is copied verbatim into a pod that was not written for it: a mount of
// a volume the pod lacks makes the API server refuse the pod at restore time
// ("spec.initContainers[0].volumeMounts[0].name: Not found"), so the plan says so first.
void check_mounted_volumes(const Pod& pod,
                           const std::string& target,
                           const nlohmann::json& container,
                           const std::string& hook,
                           Findings& findings) {
  // The pod's spec.volumes are in volume_spec (null when it has none).
  std::vector<std::string> volumes;
  const auto spec =
      pod.volume_spec.is_object() ? pod.volume_spec.find("spec") : pod.volume_spec.end();
  if (spec != pod.volume_spec.end() && spec->is_object()) {
    if (const auto list = spec->find("volumes"); list != spec->end() && list->is_array()) {
      for (const auto& v : *list) {
        if (v.is_object() && v.contains("name") && v["name"].is_string()) {
          volumes.push_back(v["name"].get<std::string>());
        }
      }
    }
  }
  const std::string name = container.value("name", "");
  for (const char* list : {"volumeMounts", "volumeDevices"}) {
    const auto mounts = container.find(list);
    if (mounts == container.end() || !mounts->is_array()) {
      continue;
    }
    for (size_t i = 0; i < mounts->size(); ++i) {
      const auto& mount = (*mounts)[i];
      const std::string volume =
          mount.is_object() && mount.contains("name") && mount["name"].is_string()
              ? mount["name"].get<std::string>()
              : "";
      if (std::find(volumes.begin(), volumes.end(), volume) != volumes.end()) {
        continue;
      }
      findings.error("init container " + core::go_quote(name) + " of " + hook + " mounts volume " +
                     core::go_quote(volume) + ", which pod " + target + "/" + pod.name +
                     " does not have: the API server would refuse the pod (" + list + "[" +
                     std::to_string(i) + "].name: Not found)");
    }
  }
}

}  // namespace

nlohmann::json RestorePlanner::init_containers(const Pod& pod,
                                               const std::string& target,
                                               Findings& findings) const {
  nlohmann::json result = nlohmann::json::array();
  nlohmann::json original = pod.init_containers;
  // A restore-wait helper that already comes first stays first (Velero's
  // InitContainerRestoreHookHandler); the volume-restore step may add one later.
  if (!original.empty() && original[0].is_object() &&
      original[0].value("name", "") == kRestoreWaitContainer) {
    result.push_back(original[0]);
    original.erase(original.begin());
  }
  if (auto container =
          restore_init_annotation_container(pod.annotations, pod.key(), findings)) {
    result.push_back(std::move(*container));
  } else {
    for (const auto& entry : spec_.hooks) {
      if (!entry.selector.applies_to(target, "pods", pod.labels)) {
        continue;
      }
      for (size_t i = 0; i < entry.post_hooks.size(); ++i) {
        const auto& hook = entry.post_hooks[i];
        if (!hook.init) {
          continue;
        }
        for (const auto& container : hook.init->init_containers) {
          check_mounted_volumes(
              pod, target, container,
              "hook " + core::go_quote(entry.name) + " (postHooks[" + std::to_string(i) + "])",
              findings);
          result.push_back(container);
        }
      }
    }
  }
  // Hook containers and the pod's own must not share a name, or the API rejects the pod.
  std::vector<std::string> names;
  for (const auto& c : result) {
    names.push_back(c.value("name", ""));
  }
  for (auto& c : original) {
    const std::string name = c.is_object() ? c.value("name", "") : "";
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      findings.error("init container " + core::go_quote(name) +
                     " is declared twice (hook and pod): the pod would be rejected");
    }
    result.push_back(std::move(c));
  }
  return result;
}

std::vector<PlannedRestoreExecHook> RestorePlanner::exec_hooks(const Pod& pod,
                                                               const std::string& target,
                                                               Findings& findings) const {
  std::vector<PlannedRestoreExecHook> hooks;
  auto add = [&](const RestoreExecHook& hook, const std::string& name, HookSource source,
                 size_t index) {
    const std::string context =
        source == HookSource::Annotation
            ? std::string("exec hook from annotations")
            : "hook " + core::go_quote(name) + ", postHooks[" + std::to_string(index) + "]";
    PlannedRestoreExecHook planned;
    planned.name = name;
    planned.source = source;
    planned.index = index;
    planned.container = resolve_container(pod, hook.container, context, findings);
    planned.command = hook.command;
    planned.on_error = hook.on_error.value_or(OnError::Continue);
    planned.exec_timeout = hook.exec_timeout.value_or(kDefaultHookTimeout);
    planned.wait_timeout = hook.wait_timeout.value_or(hook_wait_limit_);
    planned.wait_for_ready = hook.wait_for_ready.value_or(false);
    if (planned.command.empty()) {
      findings.error("command is required", context);
    }
    hooks.push_back(std::move(planned));
  };
  if (auto hook = restore_exec_annotation_hook(pod.annotations, findings)) {
    add(*hook, kAnnotationHookName, HookSource::Annotation, 0);
  } else {
    for (const auto& entry : spec_.hooks) {
      if (!entry.selector.applies_to(target, "pods", pod.labels)) {
        continue;
      }
      for (size_t i = 0; i < entry.post_hooks.size(); ++i) {
        if (entry.post_hooks[i].exec) {
          add(*entry.post_hooks[i].exec, entry.name, HookSource::Spec, i);
        }
      }
    }
  }
  // Group by container: the pod's containers in spec order, then sidecars, then names the
  // pod lacks (already errors); spec order within each group.
  std::vector<std::string> order = pod.containers;
  order.insert(order.end(), pod.sidecars.begin(), pod.sidecars.end());
  for (const auto& h : hooks) {
    if (std::find(order.begin(), order.end(), h.container) == order.end()) {
      order.push_back(h.container);
    }
  }
  std::stable_sort(hooks.begin(), hooks.end(), [&](const auto& a, const auto& b) {
    return std::find(order.begin(), order.end(), a.container) <
           std::find(order.begin(), order.end(), b.container);
  });
  return hooks;
}

PodRestorePlan RestorePlanner::plan(const Pod& pod) const {
  PodRestorePlan plan;
  plan.namespace_name = target_namespace(pod.namespace_name);
  plan.pod_name = pod.name;
  check_hook_annotation_keys(pod.annotations, Operation::Restore, plan.findings);
  plan.init_containers = init_containers(pod, plan.namespace_name, plan.findings);
  plan.exec = exec_hooks(pod, plan.namespace_name, plan.findings);
  return plan;
}

}  // namespace stillpoint::hooks
