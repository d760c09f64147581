// Stopping a timed-out hook's command (src/hooks/timed_out_command.h): the stop exec's argv,
// how its outcome is read, and the script itself run for real by /bin/sh against processes
// this test spawns on the host.
#include "hooks/timed_out_command.h"

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"

namespace stillpoint::hooks {
namespace {

using testing::TempDir;

// The window of start times comes first, in clock ticks; the hook's argv follows as
// positional parameters, unchanged (no quoting, no joining), so arguments with spaces, quotes
// and newlines reach the script whole.
TEST(StopCommand, PassesTheWindowThenTheHookArgvAsPositionalParameters) {
  const std::vector<std::string> hook = {"/bin/sh", "-c", "echo 'a b'; sleep 317\n", ""};
  const std::vector<std::string> argv =
      stop_command(hook, ExecWindow{std::chrono::seconds(12), std::chrono::seconds(3)});
  ASSERT_EQ(argv.size(), 10u);
  EXPECT_EQ(argv[0], "/bin/sh");
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[2], stop_script());
  EXPECT_EQ(argv[3], "stillpoint-stop");
  EXPECT_EQ(argv[4], "1201");
  EXPECT_EQ(argv[5], "299");
  EXPECT_EQ(std::vector<std::string>(argv.begin() + 6, argv.end()), hook);
}

// Start times are whole ticks of 10 ms (USER_HZ), each rounded down: the window is rounded
// outwards and widened by one tick on each side, never below zero, and never inverted.
TEST(StopCommand, WindowIsInTicksRoundedOutwards) {
  using std::chrono::milliseconds;
  struct Case {
    std::string name;
    ExecWindow window;
    std::string from, to;
  };
  const std::vector<Case> cases = {
      {"whole ticks", {milliseconds(1000), milliseconds(500)}, "101", "49"},
      {"parts of ticks", {milliseconds(1234), milliseconds(1239)}, "125", "122"},
      {"a nanosecond over", {milliseconds(10) + std::chrono::nanoseconds(1), {}}, "3", "0"},
      {"zero", {}, "1", "0"},
      {"youngest below a tick", {milliseconds(50), milliseconds(15)}, "6", "0"},
      {"inverted", {milliseconds(100), milliseconds(900)}, "11", "11"},
      {"negative", {milliseconds(-100), milliseconds(-100)}, "1", "0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto argv = stop_command({"x"}, c.window);
    EXPECT_EQ(argv[4], c.from);
    EXPECT_EQ(argv[5], c.to);
  }
}

// The hook's process started between its exec request and kExecStartSlack later; the stop
// script starts between its request and kStopExecTimeout later. The window measured back from
// the script covers both, and a clock that went backwards counts as no time passed.
TEST(ExecWindow, CoversTheHooksExecStartFromTheStopsStart) {
  using std::chrono::seconds;
  const Clock::TimePoint t0 = Clock::TimePoint(std::chrono::hours(24 * 365 * 50));
  struct Case {
    std::string name;
    Clock::TimePoint now;
    core::Duration oldest, youngest;
  };
  const std::vector<Case> cases = {
      {"45 s hook", t0 + seconds(45), seconds(55), seconds(35)},
      {"2 s hook", t0 + seconds(2), seconds(12), seconds(0)},
      {"exactly the slack", t0 + seconds(10), seconds(20), seconds(0)},
      {"clock went back", t0 - seconds(5), seconds(10), seconds(0)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ExecWindow w = exec_window(t0, c.now);
    EXPECT_EQ(w.oldest, c.oldest);
    EXPECT_EQ(w.youngest, c.youngest);
  }
}

// The script uses only what busybox and Debian minbase have.
TEST(StopCommand, ScriptUsesOnlyShTrKillAndSleep) {
  const std::string script(stop_script());
  for (const char* absent : {"pkill", "pgrep", "ps ", "awk", "sed", "grep", "xargs", "timeout"}) {
    EXPECT_EQ(script.find(absent), std::string::npos) << absent;
  }
  for (const char* used : {"tr '\\000' '\\037'", "kill -$1", "sleep 0.1", "/proc/$1/stat"}) {
    EXPECT_NE(script.find(used), std::string::npos) << used;
  }
  EXPECT_LT(script.size(), 3000u) << "it travels in the exec request's URL with every stop";
}

ExecResult exited(int code, std::string out, std::string err = "") {
  ExecResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  r.stderr_data = std::move(err);
  return r;
}

// The report line is read strictly: counts that do not add up, or no report at all, are not
// taken as success.
TEST(StopOutcome, ReadsTheReportLineStrictly) {
  struct Case {
    std::string name;
    std::optional<core::Result<ExecResult>> exec;
    bool stopped;
    int processes;
    std::string described;
  };
  const std::string may = "its command may still be running in the container: ";
  const std::vector<Case> cases = {
      {"one", exited(0, "matched=1 stopped=1 remaining=0\n"), true, 1,
       "its command was stopped (1 process)"},
      {"noise before the report",
       exited(0,
              "sh: 1: kill: No such process\nmatched=3 stopped=3 "
              "remaining=0\n"),
       true, 3, "its command was stopped (3 processes)"},
      {"counts do not add up", exited(0, "matched=3 stopped=3 remaining=1\n"), false, 0,
       may + "the stop command's output was not understood: \"matched=3 stopped=3 "
             "remaining=1\""},
      {"no report", exited(0, "", "weird\n"), false, 0,
       may + "the stop command's output was not understood: \"weird\""},
      {"huge number", exited(0, "matched=99999999999 stopped=0 remaining=0\n"), false, 0,
       may + "the stop command's output was not understood: \"matched=99999999999 stopped=0 "
             "remaining=0\""},
      {"timed out", std::nullopt, false, 0, may + "the stop command did not finish within 10s"},
      {"nothing found", exited(0, "matched=0 stopped=0 remaining=0\n"), false, 0,
       may + "no process of the hook was found, neither exec'd into the container when the "
             "hook started nor with its exact command line (it may have ended, possibly "
             "leaving background children behind)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const StopOutcome o = read_stop_outcome(c.exec);
    EXPECT_EQ(o.stopped, c.stopped);
    EXPECT_EQ(o.processes, c.processes);
    EXPECT_EQ(describe(o), c.described);
  }
}

// --- The script run for real on this host -------------------------------------------------

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts `argv` in its own process group (so cleanup can reach its children); stdout goes to
// `out_fd` when given.
pid_t spawn(std::vector<std::string> argv, std::vector<std::string> env, int out_fd = -1) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (out_fd >= 0)
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  auto args = c_strings(argv);
  auto envp = c_strings(env);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

// Runs `argv` to completion and returns its stdout.
std::string run(std::vector<std::string> argv, std::vector<std::string> env = {}) {
  int fds[2];
  if (pipe(fds) != 0)
    return "pipe failed";
  env.push_back("PATH=/usr/bin:/bin");
  const pid_t pid = spawn(std::move(argv), std::move(env), fds[1]);
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Alive and not a zombie.
bool running(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

template <class F>
bool eventually(F f) {
  for (int i = 0; i < 500; ++i) {
    if (f())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Kills what a test started, even when an assertion failed half-way.
struct GroupKiller {
  std::vector<pid_t> groups;
  ~GroupKiller() {
    for (pid_t g : groups) {
      if (g > 0)
        kill(-g, SIGKILL);
    }
    for (pid_t g : groups) {
      if (g > 0)
        waitpid(g, nullptr, 0);
    }
  }
};

std::string unique_marker() {
  return "stillpoint-stop-test-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

// The hook's shell (found by its exact argv) and its child `sleep 1234567` (found as a
// descendant) are both stopped, and counted; a process whose argv only starts with the hook's
// (one more argument) is not touched, nor is its child.
TEST(StopScriptOnThisHost, StopsTheExactArgvAndItsDescendantsOnly) {
  // Orphaned children come back to this process, so their end can be checked by waitpid.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  TempDir dir;
  const std::string child_pid = dir.file("child");
  // $1 names the file for the child's PID; $# tells the hook (1) from the decoy (2).
  const std::vector<std::string> hook = {
      "/bin/sh", "-c", "sleep 1234567 & echo $! > \"$1.$#\"; wait", unique_marker(), child_pid};
  std::vector<std::string> decoy = hook;
  decoy.push_back("one-more-argument");
  GroupKiller cleanup;
  const pid_t hook_pid = spawn(hook, {"PATH=/usr/bin:/bin"});
  const pid_t decoy_pid = spawn(decoy, {"PATH=/usr/bin:/bin"});
  cleanup.groups = {hook_pid, decoy_pid};
  ASSERT_GT(hook_pid, 0);
  ASSERT_GT(decoy_pid, 0);
  ASSERT_TRUE(eventually([&] {
    return !read_text(child_pid + ".1").empty() && !read_text(child_pid + ".2").empty();
  }));
  const pid_t hook_child = std::stoi(read_text(child_pid + ".1"));
  const pid_t decoy_child = std::stoi(read_text(child_pid + ".2"));
  ASSERT_TRUE(running(hook_child));

  // On the host no test process has PPid 0: only the argv and descendants find anything.
  const std::string report = run(stop_command(hook, ExecWindow{}));
  EXPECT_EQ(report, "matched=2 stopped=2 remaining=0\n");

  int status = 0;
  ASSERT_EQ(waitpid(hook_pid, &status, 0), hook_pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  ASSERT_TRUE(eventually([&] { return waitpid(hook_child, &status, WNOHANG) == hook_child; }))
      << "the hook's child sleep 1234567 is still there";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_TRUE(running(decoy_pid));
  EXPECT_TRUE(running(decoy_child));
}

// A process with the hook's argv that is an ancestor of the script (here: its parent) is
// never stopped: the script reports nothing matched and its parent finishes normally.
TEST(StopScriptOnThisHost, NeverStopsItsOwnAncestors) {
  // The parent runs the stop script with its own argv: ["/bin/sh", "-c", $T, marker].
  const std::string t = "/bin/sh -c \"$STOP\" stillpoint-stop 1 0 /bin/sh -c \"$T\" \"$0\"";
  const std::string report =
      run({"/bin/sh", "-c", t, unique_marker()}, {"T=" + t, "STOP=" + std::string(stop_script())});
  EXPECT_EQ(report, "matched=0 stopped=0 remaining=0\n");
}

// --- The script in a PID namespace, entered from outside as a container runtime's exec is --

// `argv` run in the PID and mount namespaces of `init` (a host PID) the way runc exec and
// kubesim's exec enter a container: nsenter forks after setns, so inside, the command's
// parent is outside the namespace and its PPid is 0.
std::vector<std::string> in_namespace(pid_t init, std::vector<std::string> argv) {
  std::vector<std::string> out = {"/usr/bin/nsenter", "-t", std::to_string(init), "-p", "-m", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

// Host processes (not zombies) whose command line is exactly `argv`.
int running_with(const std::vector<std::string>& argv) {
  std::string want;
  for (const auto& a : argv)
    want += a + '\0';
  int n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos &&
        read_text(e.path().string() + "/cmdline") == want && running(std::stoi(name)))
      ++n;
  }
  return n;
}

// In a container, the hook's own process is the one exec'd into it (PPid 0) when the hook
// started, whatever its argv became: `sh -c '(sleep O &); exec sleep H'` is found by its
// start time alone, while processes exec'd before and after the window, the orphan the hook
// left behind (PPid 1) and PID 1's own children (started in the window too) are left alone.
// The script runs under dash and under busybox sh.
TEST(StopScriptInAPidNamespace, FindsTheExecdProcessByItsStartTimeOnly) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root for a PID namespace (unshare, nsenter)";
  }
  using std::chrono::milliseconds;
  using Steady = std::chrono::steady_clock;
  const long base = 700000000L + (getpid() % 100000) * 10;
  const std::vector<std::vector<std::string>> shells = {{"/bin/sh"}, {"/usr/bin/busybox", "sh"}};
  for (size_t i = 0; i < shells.size(); ++i) {
    SCOPED_TRACE(shells[i].back() == "sh" ? "busybox sh" : "/bin/sh");
    std::vector<std::string> sleeps;
    for (long k = 0; k < 5; ++k)
      sleeps.push_back(std::to_string(base + static_cast<long>(i) * 5 + k));
    const std::vector<std::string> env = {"PATH=/usr/bin:/bin"};
    GroupKiller cleanup;
    // PID 1 of the namespace forks a child every 50 ms, as a database server might.
    const pid_t unshare =
        spawn({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh",
               "-c", "sleep " + sleeps[0] + " & while :; do sleep 0.05; done"},
              env);
    ASSERT_GT(unshare, 0);
    cleanup.groups.push_back(unshare);
    const std::string self = std::to_string(unshare);
    pid_t init = 0;
    ASSERT_TRUE(eventually([&] {
      const std::string c = read_text("/proc/" + self + "/task/" + self + "/children");
      init = c.empty() ? 0 : std::stoi(c);
      return init > 0 && running_with({"sleep", sleeps[0]}) == 1;
    }));
    const auto start = [&](std::vector<std::string> argv) {
      const pid_t pid = spawn(in_namespace(init, std::move(argv)), env);
      cleanup.groups.push_back(pid);
      return pid;
    };
    start({"/bin/sleep", sleeps[1]});  // exec'd before the hook
    ASSERT_TRUE(eventually([&] { return running_with({"/bin/sleep", sleeps[1]}) == 1; }));
    std::this_thread::sleep_for(milliseconds(600));
    const std::vector<std::string> hook = {"/bin/sh", "-c",
                                           "(sleep " + sleeps[2] + " &); exec sleep " + sleeps[3]};
    const auto hook_started = Steady::now();
    const pid_t hook_pid = start(hook);
    ASSERT_TRUE(eventually([&] {
      return running_with({"sleep", sleeps[2]}) == 1 && running_with({"sleep", sleeps[3]}) == 1;
    }));
    std::this_thread::sleep_for(milliseconds(600));
    start({"/bin/sleep", sleeps[4]});  // exec'd after the hook
    ASSERT_TRUE(eventually([&] { return running_with({"/bin/sleep", sleeps[4]}) == 1; }));
    std::this_thread::sleep_for(milliseconds(300));

    // The hook started `age` ago; the others 600 ms further from it on either side.
    const auto age = Steady::now() - hook_started;
    std::vector<std::string> stop =
        stop_command(hook, ExecWindow{age + milliseconds(300), age - milliseconds(300)});
    stop.erase(stop.begin());
    stop.insert(stop.begin(), shells[i].begin(), shells[i].end());
    EXPECT_EQ(run(in_namespace(init, stop)), "matched=1 stopped=1 remaining=0\n");

    // nsenter stops itself when its child is stopped (SIGSTOP), and waits for a SIGCONT to
    // pass on; container runtimes do not. Then it ends with the hook's sleep.
    kill(hook_pid, SIGCONT);
    EXPECT_TRUE(eventually([&] { return waitpid(hook_pid, nullptr, WNOHANG) == hook_pid; }));
    EXPECT_EQ(running_with({"sleep", sleeps[3]}), 0) << "the hook's exec'd process";
    EXPECT_EQ(running_with({"sleep", sleeps[0]}), 1) << "PID 1's child";
    EXPECT_EQ(running_with({"/bin/sleep", sleeps[1]}), 1) << "exec'd before the window";
    EXPECT_EQ(running_with({"sleep", sleeps[2]}), 1) << "the hook's orphan, PPid 1";
    EXPECT_EQ(running_with({"/bin/sleep", sleeps[4]}), 1) << "exec'd after the window";
  }
}

}  // namespace
}  // namespace stillpoint::hooks
