// The skeleton of a command that runs one operation against a cluster (`backup create`,
// `restore create`): open the location and connect (ClusterSession), build the runner, run it with a progress line and SIGINT/SIGTERM handling
// (run_operation.h), then print the outcome and choose the exit code. The command supplies
// what differs as a ClusterOperation; building and validating its request stays with it.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "cli/cluster_session.h"
#include "cli/exit_codes.h"
#include "cli/operation_flags.h"
#include "cli/report_failure.h"
#include "cli/run_operation.h"
#include "cli/via_server.h"

namespace stillpoint::cli {

template <class Runner, class Outcome>
struct ClusterOperation {
  // What the operation is called in messages: "backup" → "error: backup did not finish".
  const char* noun;
  // Printed once when a signal arrives: what the runner still does before it stops.
  const char* interrupted_message;
  // The text of the progress line after `elapsed` seconds (redrawn on a terminal only).
  std::function<std::string(const Runner&, double elapsed)> progress_line;
  // The `-o text` output of a finished run of the operation `name` that took `seconds`.
  std::function<void(
      const Outcome&, const std::string& name, const storage::ObjectStore& store, double seconds)>
      print_summary;
};

// Runs `request` (which has a `name`) with a Runner built from an `Environment` on a
// ClusterSession. `Outcome` has `object` (the velero.io/v1 object that -o json prints),
// `status.phase` and `interrupted`, as backup::BackupOutcome and restore::RestoreOutcome do.
// Exit codes: 0 when the outcome is Completed, 130 when interrupted, else 1 (a failure before
// the run, printed as `error: ...`, included).
template <class Environment, class Runner, class Outcome, class Request>
int run_cluster_operation(const OperationFlags& flags,
                          Request request,
                          const ClusterOperation<Runner, Outcome>& operation) {
  if (flags.via_server) {
    const std::string kind = std::string(operation.noun) == "backup" ? "Backup" : "Restore";
    return run_via_server(flags, kind, request.name, request.spec);
  }
  auto session = ClusterSession::open(flags.storage, flags.cluster);
  if (!session) {
    return report_failure(session.error());
  }
  const bool tty = stderr_is_tty();
  const std::string name = request.name;
  Runner runner((*session)->template environment<Environment>(milestone_printer(tty)),
                std::move(request));
  auto run = run_operation<Outcome>(
      (*session)->io(), runner, tty, operation.interrupted_message,
      [&](double elapsed) { return operation.progress_line(runner, elapsed); });
  (*session)->join_pool();
  auto& result = run.result;
  if (!result || !*result) {
    report_failure(result ? (*result).error()
                          : core::Error{core::ErrorCode::Internal,
                                        std::string(operation.noun) + " did not finish"});
    return run.signal_number ? kExitInterrupted : kExitFailed;
  }
  const Outcome& outcome = **result;
  if (flags.output == "json") {
    std::printf("%s\n", outcome.object.dump(2).c_str());
  } else {
    operation.print_summary(outcome, name, (*session)->store(), run.seconds);
  }
  if (outcome.interrupted) {
    return kExitInterrupted;
  }
  return outcome.status.phase == decltype(outcome.status.phase)::Completed ? kExitOk : kExitFailed;
}

}  // namespace stillpoint::cli
