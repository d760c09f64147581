// The post hooks a successor owes after a backup was cut short between a pod's pre and post
// hooks (the process that ran it was killed): for each pod recorded as inside a hook window
// (BackupEnvironment::hook_window), read the pod as it is now, plan its hooks from the same
// Backup spec and the pod's annotations, and run its post phase, each hook bounded by its own
// timeout. A pod that is gone, or no longer has post hooks, is reported, not failed: there is
// nothing left to thaw. The same rules as a running backup apply, so the hook that thaws is
// the one that would have run.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hooks/clock.h"
#include "hooks/hook_record.h"
#include "hooks/model.h"
#include "hooks/pod_exec.h"
#include "kube/cluster_api.h"

namespace stillpoint::backup {

struct PendingPostHooksOutcome {
  std::vector<hooks::HookRecord> records;  // every post hook run (or not run), in order
  std::vector<std::string> notes;          // "pod ns/name: gone" and the like
  bool failed = false;                     // a post hook failed or could not run
};

// `pods` are "ns/name" keys.
boost::asio::awaitable<PendingPostHooksOutcome> run_pending_post_hooks(
    kube::ClusterApi& cluster,
    hooks::PodExec& exec,
    hooks::Clock& clock,
    const hooks::BackupSpec& spec,
    std::vector<std::string> pods);

}  // namespace stillpoint::backup
