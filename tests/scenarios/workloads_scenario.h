// Real workloads through a backup and a restore (issue 17): a StatefulSet with a volume claim
// template, volume data and hooks whose commands hold `>` and `&&`, a DaemonSet whose hook
// holds `>`, and a Deployment with 2 replicas. The namespace is backed up, deleted and
// restored; then the controllers must take back what was restored: the StatefulSet adopts
// its pod (which needs its restored ControllerRevision to accept the adoption patch: JSON
// written as Go writes it, core/go_json.h), a deleted pod is recreated, scaling to 2 works, the
// DaemonSet owns its pod, and the Deployment has exactly its 2 pods.
#pragma once

#include "scenario_cluster.h"

namespace stillpoint::scenarios {

void workloads_come_back_under_their_controllers(ScenarioCluster& cluster);

}  // namespace stillpoint::scenarios
