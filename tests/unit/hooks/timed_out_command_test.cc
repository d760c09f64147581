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

// The hook's argv is passed as positional parameters after the script's $0, unchanged (no
// quoting, no joining), so arguments with spaces, quotes and newlines reach the script whole.
TEST(StopCommand, PassesTheHookArgvAsPositionalParameters) {
  const std::vector<std::string> hook = {"/bin/sh", "-c", "echo 'a b'; sleep 317\n", ""};
  const std::vector<std::string> argv = stop_command(hook);
  ASSERT_EQ(argv.size(), 8u);
  EXPECT_EQ(argv[0], "/bin/sh");
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[2], stop_script());
  EXPECT_EQ(argv[3], "stillpoint-stop");
  EXPECT_EQ(std::vector<std::string>(argv.begin() + 4, argv.end()), hook);
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

  const std::string report = run(stop_command(hook));
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
  const std::string t = "/bin/sh -c \"$STOP\" stillpoint-stop /bin/sh -c \"$T\" \"$0\"";
  const std::string report =
      run({"/bin/sh", "-c", t, unique_marker()}, {"T=" + t, "STOP=" + std::string(stop_script())});
  EXPECT_EQ(report, "matched=0 stopped=0 remaining=0\n");
}

}  // namespace
}  // namespace stillpoint::hooks
