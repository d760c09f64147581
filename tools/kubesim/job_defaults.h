// What a real API server fills in on a batch/v1 Job at create: SetDefaults_Job
// (pkg/apis/batch/v1/defaults.go) and the selector and template labels the registry generates
// (pkg/registry/batch/job/strategy.go generateSelector, unless spec.manualSelector is true).
// The Job controller (job_controller.cc) relies on them: it selects its pods by the generated
// controller-uid label.
//
// Not here: the pod template's own defaults (restartPolicy, dnsPolicy, …), which every workload
// template shares, and validation (a template restartPolicy of Always is not refused).
#pragma once

#include <nlohmann/json.hpp>

#include "release.h"

namespace stillpoint::kubesim {

// `job` must already carry metadata.name and metadata.uid (the selector names the uid).
// V1_20 uses the legacy labels `controller-uid` and `job-name` only and has neither
// `completionMode` nor `suspend`; Current adds the `batch.kubernetes.io/` labels (since 1.27),
// selects by `batch.kubernetes.io/controller-uid`, and defaults `completionMode: NonIndexed`,
// `suspend: false` (1.21+) and `podReplacementPolicy: TerminatingOrFailed` (1.29+).
void apply_job_defaults(nlohmann::json& job, KubeRelease release);

}  // namespace stillpoint::kubesim
