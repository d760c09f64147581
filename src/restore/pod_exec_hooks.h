// The exec hooks of one restored pod (../shared/spec/hooks.md §4; Velero's
// internal/hook/wait_exec_hook_handler.go, wire-protocol reference §5): hooks on a container the
// pod lacks fail at once; the others wait, per container, until it is up (state.running, or
// ready when one of its hooks has waitForReady) — learned from a watch on the pod, not by
// polling — then run in spec order through the HookRunner. A container that is not up within
// its wait (the largest waitTimeout of its hooks; unset = --hook-wait-timeout) gets its hooks
// recorded NotExecuted; so do the remaining ones when the pod completes or is deleted, and a
// container's later hooks after one of its onError: Fail hooks failed. Always returns, at the
// latest when every wait has run out.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "hooks/clock.h"
#include "hooks/hook_runner.h"
#include "hooks/hook_tracker.h"
#include "hooks/plan.h"
#include "hooks/pod.h"
#include "kube/cluster_api.h"
#include "restore/stop_signal.h"

namespace stillpoint::restore {

// A restore exec hook as the HookRunner runs it (its execTimeout is the run's timeout); the
// log's hook lines describe hooks in this form too.
hooks::PlannedExecHook as_exec_hook(const hooks::PlannedRestoreExecHook& hook);

struct PodHooksOutcome {
  bool failed = false;  // some hook failed or was not executed: the restore is PartiallyFailed
};

class PodExecHooks {
 public:
  // All must outlive the object.
  PodExecHooks(boost::asio::any_io_executor ex,
               kube::ClusterApi& cluster,
               hooks::HookRunner& runner,
               hooks::HookTracker& tracker,
               hooks::Clock& clock,
               core::Duration wait_limit)
      : cluster_(cluster),
        runner_(runner),
        tracker_(tracker),
        clock_(clock),
        wait_limit_(wait_limit),
        stop_(ex) {}

  // `pod` is the pod as created (its spec decides which containers exist); the waits count
  // from `created_at`.
  boost::asio::awaitable<PodHooksOutcome> run(hooks::Pod pod,
                                              hooks::PodRestorePlan plan,
                                              hooks::Clock::TimePoint created_at);

  // The pod will never run (held in restore-wait): every hook is recorded NotExecuted with
  // `reason`, at once.
  void give_up(const hooks::Pod& pod, const hooks::PodRestorePlan& plan,
               const std::string& reason);

  // The restore was interrupted: every run() stops waiting at once and records its waiting
  // hooks NotExecuted; hooks already executing finish (bounded by their execTimeout).
  // Call on the executor.
  void stop();

 private:

  kube::ClusterApi& cluster_;
  hooks::HookRunner& runner_;
  hooks::HookTracker& tracker_;
  hooks::Clock& clock_;
  core::Duration wait_limit_;
  StopSignal stop_;  // wakes every waiting run()
};

}  // namespace stillpoint::restore
