// The skeleton of a command that runs one operation against a cluster (`backup create`,
// `restore create`; a `schedule` trigger would be a third): open the location and connect,
// build the runner, run it with a progress line and SIGINT/SIGTERM handling
// (run_operation.h), then print the outcome and choose the exit code. The command supplies
// what differs as a ClusterOperation; building and validating its request stays with it.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "cli/cluster_flags.h"
#include "cli/cluster_session.h"
#include "cli/exit_codes.h"
#include "cli/report_failure.h"
#include "cli/run_operation.h"
#include "cli/storage_flags.h"

namespace stillpoint::cli {

// `Outcome` has `object` (the velero.io/v1 object, printed by -o json), `status.phase` and
// `interrupted`, as backup::BackupOutcome and restore::RestoreOutcome do.
template <class Runner, class Outcome>
struct ClusterOperation {
  // The error when the runner never returned ("backup did not finish").
  const char* unfinished;
  // Printed once when a signal arrives: what the runner still does before it stops.
  const char* interrupted_message;
  // Builds the runner on the session's environment; called once.
  std::function<std::unique_ptr<Runner>(ClusterSession&, Milestones)> make_runner;
  // The text of the progress line after `elapsed` seconds (redrawn on a terminal only).
  std::function<std::string(const Runner&, double elapsed)> progress_line;
  // The -o text output of a finished run that took `seconds`.
  std::function<void(const Outcome&, const ClusterSession&, double seconds)> print_summary;
};

// Exit codes: 0 when the outcome is Completed, 130 when interrupted, else 1 (a failure before
// the run, printed as `error: ...`, included).
template <class Runner, class Outcome>
int run_cluster_operation(const StorageFlags& storage,
                          const ClusterFlags& cluster,
                          bool json_output,
                          const ClusterOperation<Runner, Outcome>& operation) {
  auto session = ClusterSession::open(storage, cluster);
  if (!session) return report_failure(session.error());
  const bool tty = stderr_is_tty();
  std::unique_ptr<Runner> runner = operation.make_runner(**session, milestone_printer(tty));
  auto run = run_operation<Outcome>(
      (*session)->io(), *runner, tty, operation.interrupted_message,
      [&](double elapsed) { return operation.progress_line(*runner, elapsed); });
  (*session)->join_pool();
  auto& result = run.result;
  if (!result || !*result) {
    report_failure(result ? (*result).error() : core::Error{core::ErrorCode::Internal,
                                                             operation.unfinished});
    return run.signal_number ? kExitInterrupted : kExitFailed;
  }
  const Outcome& outcome = **result;
  if (json_output) {
    std::printf("%s\n", outcome.object.dump(2).c_str());
  } else {
    operation.print_summary(outcome, **session, run.seconds);
  }
  if (outcome.interrupted) return kExitInterrupted;
  return outcome.status.phase == decltype(outcome.status.phase)::Completed ? kExitOk
                                                                           : kExitFailed;
}

}  // namespace stillpoint::cli
