// Stopping a hook's command after its timeout, inside its container.
//
// Why this exists: closing the exec stream does not stop the command. containerd keeps an
// exec'd process running after the client's stream is gone. This was observed on Kubernetes
// 1.20 with containerd 1.6.20: a pre hook
// ["/bin/sh","-c","echo started >> /markers/t; sleep 317; echo finished >> /markers/t"] with
// timeout 3s still had its `sh` and `sleep 317` running after the backup ended. Velero only
// cancels the stream, so its timed-out hooks run on. After a timeout, stillpoint therefore
// runs a second, short exec in the same container (`stop_command`): a POSIX sh script that
// needs only what busybox and Debian minbase have (sh, tr, kill, sleep; no ps, no pkill).
//
// What it finds, in the container's /proc:
//   - the hook's own process, whatever its argv became: a process exec'd into a container
//     (runc exec, kubesim's exec) is created by a parent outside the container's PID
//     namespace, so inside it its PPid is 0. The script takes every process with PPid 0
//     whose start time lies in the window where the hook's exec may have started
//     (`ExecWindow`). That finds `sh -c 'exec cmd'`, `bash -c 'cmd'` and busybox
//     `sh -c 'cmd'` (shells that exec'd their command), a program that rewrote its title,
//     and a plain `["sleep","9"]`;
//   - as a fallback, processes whose /proc/PID/cmdline is exactly the hook's argv;
//   - every descendant of those (children, grandchildren, ... forked while it looks).
// It stops them: SIGSTOP (no new forks while it looks), SIGTERM, up to ~2 s of grace, then
// SIGKILL. It never signals PID 1, itself or its ancestors, and it prints how many processes
// it stopped.
//
// What it deliberately does not find: a process whose parent exited, reparented to PID 1 (PPid
// 1). PID 1 may be an application such as PostgreSQL that forks children all the time, so
// its children are never taken. Hence a command that exited and left a background child
// behind (`sh -c 'daemon &'`, `(cmd &)`) escapes. It does not work in a container without
// /bin/sh, nor in a pod with hostPID (exec'd processes have a parent there, so only the argv
// fallback applies). In each of those cases the outcome says that the command may still be
// running, and why.
//
// What it may stop besides the hook: another process exec'd into the same container within
// the window (a `kubectl exec`, an exec probe, another tool's exec; with
// shareProcessNamespace, any container of the pod that started then), and any process with
// exactly the hook's argv; with their descendants.
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
// How long after stillpoint sent a hook's exec request its process may start in the container
// (API server, kubelet, runtime): well under a second normally, seconds on a loaded node.
inline constexpr auto kExecStartSlack = std::chrono::seconds(10);
// $0 of the stop script, which is what `ps` shows in the container.
inline constexpr std::string_view kStopScriptName = "stillpoint-stop";

// Where the hook's own process may be: exec'd processes (PPid 0) that started at least
// `youngest` and at most `oldest` before the stop script itself started. Ages, not instants:
// stillpoint's clock and the container's boot-time clock are never compared, only durations
// measured on each.
struct ExecWindow {
  core::Duration oldest{};
  core::Duration youngest{};
};

// The window for a hook whose exec was requested at `started`, when its stop exec is requested
// at `now` (both on the runner's Clock). The hook's process started between `started` and
// `started + kExecStartSlack`; the stop script starts between `now` and `now +
// kStopExecTimeout` (its outcome is not read after that). So, before the script: at most
// (now - started) + kStopExecTimeout, at least (now - started) - kExecStartSlack, clamped at 0.
// A clock that went backwards counts as no time passed.
ExecWindow exec_window(Clock::TimePoint started, Clock::TimePoint now);

// The script. Run as `sh -c SCRIPT stillpoint-stop FROM TO ARGV...`, FROM >= TO >= 0 in clock
// ticks before the script's own start: the window of start times of the hook's exec'd
// process. Its last line of stdout is `matched=M stopped=S remaining=R`: M processes were
// found (exec'd in the window, with the argv, or descended from one), S of them are gone
// (zombies count as gone), and R are still alive. It exits 0.
std::string_view stop_script();

// ["/bin/sh", "-c", stop_script(), "stillpoint-stop", FROM, TO, command...]: the window in
// clock ticks, widened by a tick on each side for the rounding of start times to ticks.
std::vector<std::string> stop_command(const std::vector<std::string>& command, ExecWindow window);

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

// Runs the stop exec for `hook` (its namespace, pod, container and command), whose exec was
// requested at `started` on `clock`, bounded by kStopExecTimeout on `clock`. Never throws: a
// failure is an outcome with a reason. Cancelling the caller cancels the stop exec, and the
// outcome then says so.
boost::asio::awaitable<StopOutcome> stop_timed_out_command(PodExec& exec,
                                                           Clock& clock,
                                                           ExecRequest hook,
                                                           Clock::TimePoint started);

}  // namespace stillpoint::hooks
