// Pods for `hooks plan` / `hooks lint` from a file: one Pod, a List or PodList (as
// `kubectl get pods -o yaml|json` prints), or several YAML documents. Objects of other kinds
// are ignored (hooks apply to pods only); a file with no pod at all is an error.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "hooks/pod.h"

namespace stillpoint::cli {

core::Result<std::vector<hooks::Pod>> load_pods(const std::string& path);

}  // namespace stillpoint::cli
