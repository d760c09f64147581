// Synthetic inputs for hook benchmarks: N realistic pods (labels, annotations of which some
// are hook annotations, 1–3 containers, status) across namespaces, and a Backup spec with M
// hook entries using namespace globs and label selectors. Deterministic for a given N, M.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::bench {

// A v1 PodList with `count` pods.
nlohmann::json make_pod_list(size_t count);

// A velero.io/v1 Backup with `entries` hook entries, as YAML text.
std::string make_backup_spec_yaml(size_t entries);

}  // namespace stillpoint::bench
