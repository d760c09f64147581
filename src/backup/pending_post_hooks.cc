#include "backup/pending_post_hooks.h"

#include "hooks/backup_planner.h"
#include "hooks/hook_runner.h"
#include "hooks/hook_tracker.h"
#include "hooks/pod.h"

namespace stillpoint::backup {

namespace asio = boost::asio;

asio::awaitable<PendingPostHooksOutcome> run_pending_post_hooks(kube::ClusterApi& cluster,
                                                                hooks::PodExec& exec,
                                                                hooks::Clock& clock,
                                                                const hooks::BackupSpec& spec,
                                                                std::vector<std::string> pods) {
  PendingPostHooksOutcome outcome;
  hooks::BackupPlanner planner(spec);
  hooks::HookTracker tracker;
  hooks::HookRunner runner(exec, clock, tracker);
  const kube::GroupVersionResource pods_gvr{"", "v1", "pods"};
  for (const std::string& key : pods) {
    const auto slash = key.find('/');
    if (slash == std::string::npos) {
      outcome.notes.push_back("pod \"" + key + "\": not a namespace/name key; skipped");
      continue;
    }
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    auto object = co_await cluster.get(pods_gvr, ns, name);
    if (!object) {
      if (object.error().code == core::ErrorCode::NotFound) {
        outcome.notes.push_back("pod " + key + ": gone, no post hooks to run");
      } else {
        outcome.failed = true;
        outcome.notes.push_back("pod " + key + ": post hooks not run: " + object.error().message);
      }
      continue;
    }
    auto pod = hooks::pod_from_json(*object, "pod " + key);
    if (!pod) {
      outcome.failed = true;
      outcome.notes.push_back("pod " + key + ": post hooks not run: " + pod.error().message);
      continue;
    }
    const hooks::PodBackupPlan plan = planner.plan(*pod);
    if (plan.post.empty()) {
      outcome.notes.push_back("pod " + key + ": has no post hooks");
      continue;
    }
    const hooks::PhaseOutcome post =
        co_await runner.run_backup_phase(*pod, hooks::HookPhase::Post, plan.post);
    outcome.failed = outcome.failed || post.failed;
    outcome.notes.push_back("pod " + key + ": post hooks run" +
                            (post.failed ? " (some failed)" : ""));
  }
  outcome.records = tracker.records();
  co_return outcome;
}

}  // namespace stillpoint::backup
