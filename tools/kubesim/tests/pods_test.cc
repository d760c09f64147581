// Pods that really run, checked through the real kubectl: init containers before containers,
// shared emptyDir, readiness, logs, exec (stdout, stdin, exit codes, a process that outlives
// its client), deletion, pagination over virtual pods, and that stopping kubesim leaves
// nothing behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "kubectl_harness.h"

namespace stillpoint::kubesim::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// PIDs whose command line contains `marker`.
std::vector<pid_t> processes_with(const std::string& marker) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = slurp(e.path() / "cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(marker) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

const char* kWebPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  initContainers:
  - name: setup
    image: debian
    command: [sh, -c, 'echo written-by-init > /shared/msg']
    volumeMounts: [{name: shared, mountPath: /shared}]
  containers:
  - name: app
    image: debian
    command: [sh, -c, 'cat /shared/msg; echo app-started; exec sleep 3600']
    volumeMounts: [{name: shared, mountPath: /shared}]
    readinessProbe:
      exec: {command: [test, -f, /shared/msg]}
      periodSeconds: 1
  volumes:
  - name: shared
    emptyDir: {}
)";

// The init container runs first and writes to an emptyDir the container then reads; the pod
// becomes Ready; logs, exec with stdout, stdin and a non-zero exit behave as on a cluster.
TEST(Pods, InitContainerVolumeReadyLogsAndExec) {
  KubesimFixture k;
  CommandResult a = k.kubectl({"apply", "-f", "-"}, kWebPod);
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  CommandResult w = k.kubectl({"wait", "--for=condition=Ready", "pod/web", "--timeout=60s"});
  ASSERT_EQ(w.exit_code, 0) << w.describe();
  CommandResult phase = k.kubectl({"get", "pod", "web", "-o",
                                   "jsonpath={.status.phase} {.status.initContainerStatuses[0]"
                                   ".state.terminated.reason} {.status.containerStatuses[0].ready}"});
  EXPECT_EQ(phase.out, "Running Completed true") << phase.describe();
  EXPECT_TRUE(KubesimFixture::eventually([&] {
    return k.kubectl({"logs", "web"}).out == "written-by-init\napp-started\n";
  })) << k.kubectl({"logs", "web"}).describe();

  CommandResult out = k.kubectl({"exec", "web", "-c", "app", "--", "sh", "-c",
                                 "cat /shared/msg; echo to-stderr >&2"});
  EXPECT_EQ(out.exit_code, 0) << out.describe();
  EXPECT_EQ(out.out, "written-by-init\n");
  EXPECT_NE(out.err.find("to-stderr"), std::string::npos) << out.describe();

  std::string big(200000, 'x');
  CommandResult in = k.kubectl({"exec", "-i", "web", "-c", "app", "--", "sh", "-c", "wc -c"}, big);
  EXPECT_EQ(in.exit_code, 0) << in.describe();
  EXPECT_EQ(in.out, "200000\n") << in.describe();

  CommandResult fail = k.kubectl({"exec", "web", "-c", "app", "--", "sh", "-c", "exit 3"});
  EXPECT_EQ(fail.exit_code, 3) << fail.describe();
  EXPECT_NE(fail.err.find("command terminated with exit code 3"), std::string::npos)
      << fail.describe();

  // The container sees its own PID namespace: its init is PID 1.
  CommandResult ps = k.kubectl({"exec", "web", "-c", "app", "--", "cat", "/proc/1/cmdline"});
  EXPECT_EQ(ps.exit_code, 0) << ps.describe();

  CommandResult bad = k.kubectl({"exec", "web", "-c", "nope", "--", "true"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("container nope is not valid for pod web"), std::string::npos)
      << bad.describe();

  CommandResult table = k.kubectl({"get", "pods"});
  EXPECT_NE(table.out.find("READY"), std::string::npos) << table.describe();
  EXPECT_NE(table.out.find("1/1"), std::string::npos) << table.describe();
  EXPECT_NE(table.out.find("Running"), std::string::npos) << table.describe();
  CommandResult sel = k.kubectl({"get", "pods", "-l", "app=web", "-o", "name"});
  EXPECT_EQ(sel.out, "pod/web\n") << sel.describe();
  CommandResult none = k.kubectl({"get", "pods", "-l", "app=db", "-o", "name"});
  EXPECT_EQ(none.out, "") << none.describe();

  CommandResult del = k.kubectl({"delete", "pod", "web", "--timeout=60s"});
  EXPECT_EQ(del.exit_code, 0) << del.describe();
  EXPECT_TRUE(processes_with("written-by-init").empty());
}

// When the exec client goes away, the command keeps running, as containerd keeps an exec'd
// process after its stream is gone (seen on Kubernetes 1.20 with containerd 1.6.20). Only
// killing it — here by the test, in stillpoint by a second exec — ends it.
TEST(Pods, ExecProcessOutlivesItsClientLikeContainerd) {
  KubesimFixture k;
  CommandResult a = k.kubectl({"run", "idle", "--image=x", "--restart=Never", "--",
                               "sleep", "3600"});
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  ASSERT_EQ(k.kubectl({"wait", "--for=condition=Ready", "pod/idle", "--timeout=60s"}).exit_code, 0);
  const std::string marker = "3600.7171";
  // The harness kills kubectl (SIGKILL to its process group) at the 5 s deadline.
  CommandResult e;
  std::thread client([&] {
    e = k.kubectl({"exec", "idle", "--", "sleep", marker}, "", std::chrono::seconds(5));
  });
  bool started = KubesimFixture::eventually([&] { return !processes_with(marker).empty(); },
                                            std::chrono::seconds(5));
  client.join();
  EXPECT_TRUE(started);
  EXPECT_EQ(e.exit_code, -1) << e.describe();
  // Still there after kubesim saw its client go (kubesim used to kill it then, at once).
  ASSERT_TRUE(KubesimFixture::eventually([&] { return k.server().abandoned_exec_sessions() == 1; },
                                         std::chrono::seconds(30)));
  const std::vector<pid_t> left = processes_with(marker);
  EXPECT_FALSE(left.empty()) << "the exec'd process died with its client";
  // The pod still serves execs, and the abandoned session is reaped once its process ends.
  CommandResult again = k.kubectl({"exec", "idle", "--", "sh", "-c", "echo still-serving"});
  EXPECT_EQ(again.out, "still-serving\n") << again.describe();
  for (pid_t pid : left) kill(pid, SIGKILL);
  EXPECT_TRUE(KubesimFixture::eventually([&] { return processes_with(marker).empty(); },
                                         std::chrono::seconds(30)));
}

// An exec that outlived its client still dies with its pod: a container's processes go with
// its namespace, a virtual pod's exec (a shell and its child, on the host) by process group.
TEST(Pods, DeletingAPodKillsExecsThatOutlivedTheirClient) {
  KubesimFixture k;
  CommandResult a = k.kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: real}
spec:
  containers: [{name: c, image: x, command: [sleep, '3600']}]
---
apiVersion: v1
kind: Pod
metadata:
  name: virt
  annotations: {kubesim.stillpoint.io/virtual: 'true'}
spec:
  containers: [{name: c, image: x}]
)");
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  ASSERT_EQ(k.kubectl({"wait", "--for=condition=Ready", "pod/real", "pod/virt", "--timeout=60s"})
                .exit_code,
            0);
  const std::string marker = "3600.7272";
  for (const char* pod : {"real", "virt"}) {
    // `; true` keeps the shell alive beside its child, so there are two processes.
    CommandResult e = k.kubectl({"exec", pod, "--", "sh", "-c", "sleep " + marker + "; true"},
                                "", std::chrono::seconds(3));
    EXPECT_EQ(e.exit_code, -1) << e.describe();
  }
  ASSERT_TRUE(KubesimFixture::eventually([&] { return k.server().abandoned_exec_sessions() == 2; },
                                         std::chrono::seconds(30)));
  EXPECT_GE(processes_with(marker).size(), 4u) << "2 shells and 2 sleeps outlive their clients";
  CommandResult del = k.kubectl({"delete", "pod", "real", "virt", "--timeout=60s"});
  EXPECT_EQ(del.exit_code, 0) << del.describe();
  EXPECT_TRUE(KubesimFixture::eventually([&] { return processes_with(marker).empty(); },
                                         std::chrono::seconds(30)));
}

// `kubectl logs -f` streams output as the container writes it and ends when it exits.
TEST(Pods, LogsFollowStreamsUntilTheContainerExits) {
  KubesimFixture k;
  CommandResult a = k.kubectl({"run", "ticker", "--image=x", "--restart=Never", "--", "sh", "-c",
                               "for i in 1 2 3; do echo tick $i; sleep 0.5; done"});
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  ASSERT_TRUE(KubesimFixture::eventually([&] {
    return k.kubectl({"get", "pod", "ticker", "-o", "jsonpath={.status.containerStatuses[0].state}"})
               .out.find("running") != std::string::npos;
  }));
  CommandResult f = k.kubectl({"logs", "-f", "ticker"}, "", std::chrono::seconds(30));
  EXPECT_EQ(f.exit_code, 0) << f.describe();
  EXPECT_EQ(f.out, "tick 1\ntick 2\ntick 3\n") << f.describe();
}

// A failing init container keeps the pod in Init, and the container never starts.
TEST(Pods, FailingInitContainerKeepsPodPending) {
  KubesimFixture k;
  CommandResult a = k.kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: stuck}
spec:
  initContainers:
  - {name: fail, image: x, command: [sh, -c, 'exit 1']}
  containers:
  - {name: app, image: x, command: [sleep, '3600']}
)");
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_TRUE(KubesimFixture::eventually([&] {
    CommandResult r = k.kubectl({"get", "pod", "stuck", "-o",
                                 "jsonpath={.status.initContainerStatuses[0].restartCount}"});
    return r.out != "" && r.out != "0";
  }));
  CommandResult r = k.kubectl({"get", "pod", "stuck", "-o",
                               "jsonpath={.status.phase} {.status.containerStatuses[0].state}"});
  EXPECT_EQ(r.out.substr(0, 7), "Pending") << r.describe();
  EXPECT_EQ(r.out.find("running"), std::string::npos) << r.describe();
}

// `kubectl get --chunk-size` pages through 2,000 virtual pods with limit/continue.
TEST(Pods, PaginationOverTwoThousandVirtualPods) {
  KubesimFixture k;
  std::string list;
  for (int i = 0; i < 2000; ++i) {
    list += "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: v-" + std::to_string(i) +
            "\n  annotations: {kubesim.stillpoint.io/virtual: 'true'}\n"
            "spec:\n  containers: [{name: c, image: x}]\n";
  }
  CommandResult c = k.kubectl({"create", "-f", "-", "-o", "name"}, list, std::chrono::seconds(180));
  ASSERT_EQ(c.exit_code, 0) << c.describe().substr(0, 2000);
  CommandResult g = k.kubectl({"get", "pods", "--chunk-size=300", "-o", "name", "-v=6"});
  ASSERT_EQ(g.exit_code, 0) << g.err.substr(0, 2000);
  EXPECT_EQ(std::count(g.out.begin(), g.out.end(), '\n'), 2000);
  size_t pages = 0;
  for (size_t p = g.err.find("limit=300"); p != std::string::npos; p = g.err.find("limit=300", p + 1)) {
    ++pages;
  }
  EXPECT_EQ(pages, 7u) << "expected ceil(2000/300) list requests";
  EXPECT_NE(g.err.find("continue="), std::string::npos);
  CommandResult running = k.kubectl({"get", "pod", "v-1999", "-o", "jsonpath={.status.phase}"});
  EXPECT_EQ(running.out, "Running");
  CommandResult e = k.kubectl({"exec", "v-7", "--", "sh", "-c", "echo virtual; exit 4"});
  EXPECT_EQ(e.exit_code, 4) << e.describe();
  EXPECT_EQ(e.out, "virtual\n");
}

// Stopping kubesim (SIGTERM to `kubesim serve`) stops every pod process, leaves no mount and
// exits 0.
TEST(Pods, StopLeavesNoProcessOrMount) {
  TempDir dir;
  std::string kubeconfig = (dir.path() / "kubeconfig").string();
  std::string data = (dir.path() / "data").string();
  pid_t server = fork();
  ASSERT_GE(server, 0);
  if (server == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execl(KUBESIM_BINARY, KUBESIM_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir",
          data.c_str(), "--kubeconfig", kubeconfig.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  auto kubectl = [&](std::vector<std::string> args, const std::string& input = "",
                     std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::vector<std::string> argv = {"/usr/bin/kubectl", "--kubeconfig=" + kubeconfig,
                                     "--cache-dir=" + (dir.path() / "cache").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input, timeout);
  };
  bool up = KubesimFixture::eventually([&] { return std::filesystem::exists(kubeconfig); });
  ASSERT_TRUE(up);
  const std::string marker = "3600.4242";
  CommandResult a = kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec:
  containers:
  - {name: a, image: x, command: [sleep, ')" + marker + R"(']}
  - {name: b, image: x, command: [sh, -c, 'trap "" TERM; sleep )" + marker + R"(; true']}
  volumes: [{name: v, emptyDir: {}}]
)");
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  ASSERT_TRUE(KubesimFixture::eventually([&] { return processes_with(marker).size() >= 2; }));
  // An exec still running when kubesim stops must not survive it either.
  CommandResult exec_result;
  std::thread exec_client([&] {
    exec_result = kubectl({"exec", "sleeper", "-c", "a", "--", "sleep", marker + "1"});
  });
  bool exec_started = KubesimFixture::eventually(
      [&] { return !processes_with(marker + "1").empty(); }, std::chrono::seconds(30));
  // Nor must an exec whose client already went away (it outlives its client, not kubesim).
  CommandResult abandoned = kubectl({"exec", "sleeper", "-c", "b", "--", "sh", "-c",
                                     "sleep " + marker + "2; true"},
                                    "", std::chrono::seconds(3));
  EXPECT_EQ(abandoned.exit_code, -1) << abandoned.describe();
  EXPECT_FALSE(processes_with(marker + "2").empty());
  kill(server, SIGTERM);
  int status = 0;
  bool exited = KubesimFixture::eventually([&] { return waitpid(server, &status, WNOHANG) == server; },
                                           std::chrono::seconds(60));
  if (!exited) {
    kill(server, SIGKILL);
    waitpid(server, &status, 0);
  }
  exec_client.join();
  ASSERT_TRUE(exited);
  EXPECT_TRUE(exec_started);
  EXPECT_NE(exec_result.exit_code, 0);  // the session ended without a success status
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(processes_with(marker).empty());
  std::string mounts = slurp("/proc/self/mountinfo");
  EXPECT_EQ(mounts.find(dir.path().string()), std::string::npos) << mounts;
  EXPECT_FALSE(std::filesystem::exists(data + "/pods") &&
               !std::filesystem::is_empty(data + "/pods"));
}

}  // namespace
}  // namespace stillpoint::kubesim::testing
