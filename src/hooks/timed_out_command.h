// Stopping a hook's command after its timeout, inside its container.
//
// Why this exists: closing the exec stream does not stop the command. containerd keeps an
// exec'd process running after the client's stream is gone. This was observed on Kubernetes
// 1.20 with containerd 1.6.20: a pre hook
// ["/bin/sh","-c","echo started >> /markers/t; sleep 317; echo finished >> /markers/t"] with
// timeout 3s still had its `sh` and `sleep 317` running after the backup ended. Velero only
// cancels the stream, so its timed-out hooks run on. After a timeout, stillpoint therefore
// runs a second, short exec in the same container (`stop_command`): a POSIX sh script that
// needs only what busybox and Debian minbase have (sh, tr, kill, sleep; no ps, no pkill). It
// finds the processes whose /proc/PID/cmdline is exactly the hook's argv, and stops them and
// all their descendants: SIGSTOP (no new forks while it looks), SIGTERM, up to ~2 s of grace,
// then SIGKILL. It never signals PID 1, itself or its ancestors, and it prints how many
// processes it stopped.
//
// What it deliberately does not do: tell the hook's process apart from another process in
// the container with exactly the same argv (both are stopped). It does not find a command
// whose argv changed: a shell that exec'd its only command (bash, or busybox `sh -c 'sleep
// 9'`; Debian's dash does not), a program that rewrites its title, or a command that exited
// and left children behind. It does not work in a container without /bin/sh. In each of those
// cases the outcome says that the command may still be running, and why.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "hooks/clock.h"
#include "hooks/pod_exec.h"

namespace stillpoint::hooks {

// Bound for the stop exec: the script itself needs ~3 s at most (2 s grace, 1 s after KILL).
inline constexpr auto kStopExecTimeout = std::chrono::seconds(10);
// $0 of the stop script, which is what `ps` shows in the container.
inline constexpr std::string_view kStopScriptName = "stillpoint-stop";

// The script. Run as `sh -c SCRIPT stillpoint-stop ARGV...`. Its last line of stdout is
// `matched=M stopped=S remaining=R`: M processes had the argv or descended from one, S of them
// are gone (zombies count as gone), and R are still alive. It exits 0.
std::string_view stop_script();

// ["/bin/sh", "-c", stop_script(), "stillpoint-stop", command...]
std::vector<std::string> stop_command(const std::vector<std::string>& command);

struct StopOutcome {
  bool stopped = false;  // something matched, and every process that matched is gone
  int processes = 0;     // how many processes were stopped
  std::string reason;    // when !stopped: why the command may still be running
};

// Reads the stop exec's outcome. `exec_outcome` is nullopt when the stop exec did not finish
// within kStopExecTimeout.
StopOutcome read_stop_outcome(const std::optional<core::Result<ExecResult>>& exec_outcome);

// For the hook's error, after "timed out after <d>; ": "its command was stopped (2
// processes)" or "its command may still be running in the container: <reason>".
std::string describe(const StopOutcome& outcome);

// Runs the stop exec for `hook` (its namespace, pod, container and command), bounded by
// kStopExecTimeout on `clock`. Never throws: a failure is an outcome with a reason. Cancelling
// the caller cancels the stop exec, and the outcome then says so.
boost::asio::awaitable<StopOutcome> stop_timed_out_command(PodExec& exec,
                                                           Clock& clock,
                                                           ExecRequest hook);

}  // namespace stillpoint::hooks
