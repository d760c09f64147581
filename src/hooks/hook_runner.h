// Runs planned backup hooks against pods through PodExec (../shared/spec/hooks.md §3):
// hooks of a phase one after another; a pod or container that is not running is skipped,
// never attempted; each hook races its timeout, and the loser is cancelled — a timed-out
// hook's exec stream is closed, then its command is stopped in the container by a second exec
// (timed_out_command.h: closing the stream does not stop it on a real cluster), and the hook's
// error says whether that worked; a non-zero exit or an error fails the hook; onError Fail
// stops the pod's later hooks of that phase (recorded NotExecuted). Every hook ends as a
// HookRecord in the tracker.
//
// Thread affinity: one runner may serve many coroutines on one executor; the tracker is
// thread-safe for runners on several threads.
#pragma once

#include <atomic>

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hooks/clock.h"
#include "hooks/hook_tracker.h"
#include "hooks/plan.h"
#include "hooks/pod.h"
#include "hooks/pod_exec.h"

namespace stillpoint::hooks {

struct PhaseOutcome {
  bool failed = false;   // some hook failed or was not executed: the backup is PartiallyFailed
  bool stopped = false;  // a Fail-mode hook failed; in pre, the pod's item is not backed up
};

class HookRunner {
 public:
  // All three must outlive the runner.
  HookRunner(PodExec& exec,
             Clock& clock,
             HookTracker& tracker,
             size_t output_limit = kDefaultExecOutputLimit)
      : exec_(exec), clock_(clock), tracker_(tracker), output_limit_(output_limit) {}

  // `started`, when given, is set to true as soon as the first hook is about to run — so a
  // caller that is interrupted mid-phase knows whether the pod may have been quiesced.
  // Hooks whose command is executing at this moment (progress displays).
  size_t running() const { return running_.load(); }

  boost::asio::awaitable<PhaseOutcome> run_backup_phase(const Pod& pod,
                                                        HookPhase phase,
                                                        const std::vector<PlannedExecHook>& hooks,
                                                        bool* started = nullptr);

 private:
  boost::asio::awaitable<HookRecord> run_one(const Pod& pod,
                                             HookPhase phase,
                                             const PlannedExecHook& hook);

  PodExec& exec_;
  Clock& clock_;
  HookTracker& tracker_;
  size_t output_limit_;
  std::atomic<size_t> running_{0};
};

}  // namespace stillpoint::hooks
