// The parts of starting a pod that are plain filesystem and object work, kept apart from the
// asynchronous runtime: volumes as directories (emptyDir, hostPath, configMap, secret, PVC →
// bound PV path or a provisioned directory), fsGroup ownership, the process identity
// (securityContext users and groups, env with valueFrom and $(VAR) expansion, workingDir).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "process.h"
#include "store.h"

namespace stillpoint::kubesim {

// Volume name → host directory (or file). Errors name the missing object, as a kubelet event
// would; the pod stays Pending (ContainerCreating) and setup is retried. A claim with no
// volume yet is a Conflict (the pod is unschedulable until the PV controller binds it) when
// `claims_are_bound` (controllers run); otherwise it gets `DATA/pvc/<ns>/<claim>-<uid>`, the
// directory the hostPath provisioner would have made.
core::Result<std::map<std::string, std::string>> prepare_volumes(
    const Store& store,
    const nlohmann::json& pod,
    const std::filesystem::path& sandbox,
    const std::filesystem::path& data_dir,
    bool claims_are_bound = false);

core::Result<std::vector<VolumeMount>> container_mounts(
    const nlohmann::json& container, const std::map<std::string, std::string>& volumes);

core::Result<Identity> container_identity(const Store& store, const nlohmann::json& pod,
                                          const nlohmann::json& container);

// Kubernetes' $(VAR) expansion for command, args and env values: known names are replaced,
// $$ escapes, unknown references stay as written.
std::string expand_vars(const std::string& text, const std::vector<std::string>& env);

}  // namespace stillpoint::kubesim
