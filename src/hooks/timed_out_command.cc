#include "hooks/timed_out_command.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "core/go_duration.h"
#include "core/text.h"

namespace stillpoint::hooks {
namespace {

using boost::asio::awaitable;
using namespace boost::asio::experimental::awaitable_operators;

// Sent as one argv element with every stop, so it stays small and without comments; it is
// explained here. $1 and $2 are the window (FROM, TO ticks before the script's own start,
// stop_command); after `shift 2`, "$@" is the hook's argv. `want` is that argv with \037
// (unit separator) after each element, and a candidate's /proc/PID/cmdline gets the same
// treatment through tr, so no NUL byte ever sits in a shell variable. Unit separators cannot
// be confused with a trailing newline, which $(...) would strip.
//   st PID     sets state, ppid and start (start time in ticks since boot) from
//              /proc/PID/stat. The comm field may hold spaces and ')', so the fields are
//              taken after the LAST ')'. Fails when PID is gone.
//   alive P S  P is alive (not a zombie) and is still the process that started at S: a
//              reused PID is never signalled.
//   scan       lists every process except `keep` (PID 1, the script, its ancestors); with
//              `match`, adds those exec'd into the container (ppid 0: their parent is
//              outside its PID namespace) that started in [lo, hi], and those whose cmdline
//              is exactly the hook's argv; then adds descendants (ppid in `found`) until
//              nothing changes. `found` holds " pid " words for matching, `ids` holds
//              pid:start pairs for signalling. Orphans (ppid 1) are never candidates.
//   settle T   waits up to T tenths of a second for every found process to be gone
//              (`sleep 0.1` where sleep takes fractions, else whole seconds).
// The window is measured back from the script's own start time (`st $$`), read from the
// same /proc as the candidates' start times: no clock outside the container is compared.
// Order: freeze (STOP), rescan for children forked meanwhile, TERM then CONT, 2 s grace,
// rescan for children a TERM-ignoring parent forked, KILL, 1 s for them to go, report.
constexpr std::string_view kScript = R"sh(st() {
  l=
  IFS= read -r l 2>/dev/null <"/proc/$1/stat" || return 1
  case $l in *\)*) ;; *) return 1 ;; esac
  set -- ${l##*\)}
  state=$1 ppid=$2 start=${20}
}
alive() { st "$1" && [ "$state" != Z ] && [ "$start" = "$2" ]; }
add() { found="$found$1 " ids="$ids $1:$2"; }
scan() {
  all=
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    case $keep in *" $p "*) continue ;; esac
    st "$p" && [ "$state" != Z ] || continue
    all="$all $p:$ppid:$start"
    case $found in *" $p "*) continue ;; esac
    [ "$1" = match ] || continue
    [ "$ppid" = 0 ] && [ "$start" -ge "$lo" ] && [ "$start" -le "$hi" ] ||
      [ "$(tr '\000' '\037' 2>/dev/null <"$d/cmdline")" = "$want" ] && add "$p" "$start"
  done
  c=1
  while [ -n "$c" ]; do
    c=
    for e in $all; do
      p=${e%%:*} r=${e#*:}
      case $found in *" $p "*) continue ;; esac
      case $found in *" ${r%%:*} "*) add "$p" "${r#*:}"; c=1 ;; esac
    done
  done
}
sig() { for e in $ids; do alive "${e%%:*}" "${e#*:}" && kill -$1 "${e%%:*}" 2>/dev/null; done; }
left() { n=0; for e in $ids; do alive "${e%%:*}" "${e#*:}" && n=$((n+1)); done; }
settle() {
  t=0
  while [ $t -lt $1 ]; do
    left; [ $n = 0 ] && return
    if sleep 0.1 2>/dev/null; then t=$((t+1)); else sleep 1; t=$((t+10)); fi
  done
}
st $$; lo=$((start-$1)) hi=$((start-$2)); shift 2
want=$(printf '%s\037' "$@")
keep=" 1 $$ " found=" " ids=
p=$$
while st "$p" && [ "$ppid" -gt 0 ]; do keep="$keep$ppid "; p=$ppid; done
scan match
sig STOP; scan; sig STOP
sig TERM; sig CONT
settle 20
scan; sig KILL
settle 10
m=0; for e in $ids; do m=$((m+1)); done
left
echo "matched=$m stopped=$((m-n)) remaining=$n"
)sh";

// The stop's output is small: one line, and maybe a shell error or two.
constexpr size_t kStopOutputLimit = 4096;

// The awaitable operators need default-constructible results; Result<T> is not.
awaitable<std::optional<core::Result<ExecResult>>> exec_once(PodExec& exec, ExecRequest request) {
  co_return co_await exec.exec(std::move(request));
}

std::string first_line(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) {
    return {};
  }
  const size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? end : end - start);
  constexpr size_t kMax = 200;
  return line.size() > kMax ? line.substr(0, kMax) + "..." : line;
}

// The value of `key=` in `line`, or -1.
long field(const std::string& line, const std::string& key) {
  const size_t at = line.find(key + "=");
  if (at == std::string::npos) {
    return -1;
  }
  const size_t start = at + key.size() + 1;
  const size_t end = line.find_first_not_of("0123456789", start);
  const size_t digits = (end == std::string::npos ? line.size() : end) - start;
  if (digits == 0 || digits > 9) {
    return -1;
  }
  return std::stol(line.substr(start, end == std::string::npos ? end : end - start));
}

std::string processes(long n) {
  return std::to_string(n) + (n == 1 ? " process" : " processes");
}

}  // namespace

std::string_view stop_script() {
  return kScript;
}

ExecWindow exec_window(Clock::TimePoint started, Clock::TimePoint now) {
  const core::Duration age = std::max<core::Duration>(now - started, core::Duration::zero());
  return {age + kStopExecTimeout, std::max<core::Duration>(age - kExecStartSlack, {})};
}

std::vector<std::string> stop_command(const std::vector<std::string>& command, ExecWindow window) {
  // Field 22 of /proc/PID/stat counts clock ticks of USER_HZ, which the kernel fixes at 100
  // for user space on every architecture Kubernetes runs on (x86, arm, arm64, ppc64le,
  // s390x), whatever the kernel's own HZ (250, 1000, ...): sysconf(_SC_CLK_TCK) there is
  // 100. The script has no getconf to ask (busybox may lack it), so it is fixed here.
  constexpr auto kTick = std::chrono::milliseconds(10);
  // Each start time is rounded down to a tick, so a difference of two is off by up to one.
  const std::int64_t from =
      std::max<std::int64_t>((window.oldest + kTick - std::chrono::nanoseconds(1)) / kTick, 0) + 1;
  const std::int64_t to = std::clamp<std::int64_t>(window.youngest / kTick - 1, 0, from);
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   std::string(kScript),
                                   std::string(kStopScriptName),
                                   std::to_string(from),
                                   std::to_string(to)};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

StopOutcome read_stop_outcome(const std::optional<core::Result<ExecResult>>& exec_outcome) {
  StopOutcome out;
  if (!exec_outcome) {
    out.reason =
        "the stop command did not finish within " + core::format_go_duration(kStopExecTimeout);
    return out;
  }
  if (!*exec_outcome) {
    out.reason = "the stop command could not run: " + exec_outcome->error().message;
    return out;
  }
  const ExecResult& r = **exec_outcome;
  if (r.exit_code != 0) {
    const std::string why = first_line(r.stderr_data);
    out.reason = "the stop command (/bin/sh) exited with code " + std::to_string(r.exit_code) +
                 (why.empty() ? "" : ": " + why);
    return out;
  }
  // The report is the last line that has one.
  const size_t at = r.stdout_data.rfind("matched=");
  const std::string line = at == std::string::npos ? "" : first_line(r.stdout_data.substr(at));
  const long matched = field(line, "matched");
  const long stopped = field(line, "stopped");
  const long remaining = field(line, "remaining");
  if (matched < 0 || stopped < 0 || remaining < 0 || stopped + remaining != matched) {
    out.reason = "the stop command's output was not understood: " +
                 core::go_quote(first_line(r.stdout_data + "\n" + r.stderr_data));
    return out;
  }
  if (matched == 0) {
    out.reason =
        "no process of the hook was found, neither exec'd into the container when the hook "
        "started nor with its exact command line (it may have ended, possibly leaving "
        "background children behind)";
    return out;
  }
  if (remaining > 0) {
    out.reason = std::to_string(remaining) + " of " + processes(matched) +
                 " did not stop, even after SIGKILL";
    out.processes = static_cast<int>(stopped);
    return out;
  }
  out.stopped = true;
  out.processes = static_cast<int>(stopped);
  return out;
}

std::string describe(const StopOutcome& outcome) {
  if (outcome.stopped) {
    return "its command was stopped (" + processes(outcome.processes) + ")";
  }
  return "its command may still be running in the container: " + outcome.reason;
}

awaitable<StopOutcome> stop_timed_out_command(PodExec& exec,
                                              Clock& clock,
                                              ExecRequest hook,
                                              Clock::TimePoint started) {
  ExecRequest stop;
  stop.namespace_name = std::move(hook.namespace_name);
  stop.pod = std::move(hook.pod);
  stop.container = std::move(hook.container);
  stop.command = stop_command(hook.command, exec_window(started, clock.now()));
  stop.output_limit = kStopOutputLimit;
  std::optional<core::Result<ExecResult>> result;
  try {
    auto raced = co_await (exec_once(exec, std::move(stop)) || clock.sleep_for(kStopExecTimeout));
    if (raced.index() == 0) {
      result = std::move(std::get<0>(raced));
    }
  } catch (const std::exception& e) {
    StopOutcome failed;
    failed.reason = std::string("the stop command failed: ") + e.what();
    co_return failed;
  }
  co_return read_stop_outcome(result);
}

}  // namespace stillpoint::hooks
