// `stillpoint backup create` end to end (issue: backup with hooks): kubesim pods whose hooks
// really run and write marker files, the real binary, and the files it leaves in the backup
// location checked against Velero's layout.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "e2e_fixture.h"

extern char** environ;

namespace stillpoint::e2e {
namespace {

std::string ns_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n---\n";
}

// A pod idling in one container "app", the marker directory mounted at /markers, and the
// given annotation lines (already indented by 4).
std::string pod_yaml(const std::string& ns, const std::string& name,
                     const std::string& annotations, const std::string& markers) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels:\n    app: " + name + "\n  annotations:\n" + annotations +
         "spec:\n  containers:\n  - name: app\n    image: debian\n"
         "    volumeMounts:\n    - {name: markers, mountPath: /markers}\n"
         "  volumes:\n  - name: markers\n    hostPath: {path: " +
         markers + "}\n---\n";
}

std::string hook_annotations(const std::string& pre, const std::string& post,
                             const std::string& extra = "") {
  return "    pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"" + pre + "\"]'\n" +
         "    post.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"" + post + "\"]'\n" +
         extra;
}

class BackupE2eTest : public E2eTest {};

TEST_F(BackupE2eTest, HooksRunAroundTheItemsAndTheLayoutIsVelerosFormat) {
  const std::string m = markers_.string();
  apply(ns_yaml("shop") +
        pod_yaml("shop", "db",
                 hook_annotations("echo pre-db >> /markers/log", "echo post-db >> /markers/log"),
                 m) +
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n"
        "data: {a: b}\n---\n" +
        ns_yaml("other") +
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: other}\n");
  wait_ready("shop", "db");

  const CommandResult r = stillpoint({"backup", "create", "b1", "--include-namespaces", "shop"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(read_file(markers_ / "log"), "pre-db\npost-db\n");

  const auto entries = tarball_entries("b1");
  EXPECT_TRUE(contains(entries, "metadata/version"));
  EXPECT_TRUE(contains(entries, "resources/pods/namespaces/shop/db.json"));
  EXPECT_TRUE(contains(entries, "resources/pods/v1-preferredversion/namespaces/shop/db.json"));
  EXPECT_TRUE(contains(entries, "resources/configmaps/namespaces/shop/settings.json"));
  EXPECT_TRUE(contains(entries, "resources/namespaces/cluster/shop.json"));
  EXPECT_FALSE(contains(entries, "resources/configmaps/namespaces/other/elsewhere.json"));
  EXPECT_FALSE(contains(entries, "resources/namespaces/cluster/other.json"));
  for (const auto& e : entries) EXPECT_NE(e.back(), '/') << "directory entry " << e;

  for (const char* sibling : {"velero-backup.json", "b1-logs.gz", "b1-resource-list.json.gz",
                              "b1-checksums.json.gz"}) {
    EXPECT_TRUE(std::filesystem::exists(storage_ / "backups" / "b1" / sibling)) << sibling;
  }
  const auto b = backup_object("b1");
  EXPECT_EQ(b["apiVersion"], "velero.io/v1");
  EXPECT_EQ(b["status"]["phase"], "Completed");
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 2);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksFailed"], 0);
  ASSERT_EQ(b["status"]["hookResults"].size(), 2u);
  EXPECT_EQ(b["status"]["hookResults"][0]["phase"], "pre");
  EXPECT_EQ(b["status"]["hookResults"][0]["result"], "Succeeded");
  EXPECT_EQ(b["status"]["hookResults"][0]["source"], "annotation");
  EXPECT_EQ(b["status"]["hookResults"][1]["phase"], "post");

  // Reading it back.
  const CommandResult get = stillpoint({"backup", "get", "-o", "json"}, false);
  ASSERT_EQ(get.exit_code, 0) << get.describe();
  const auto list = nlohmann::json::parse(get.out);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["metadata"]["name"], "b1");
  const CommandResult describe = stillpoint({"backup", "describe", "b1", "--details"}, false);
  ASSERT_EQ(describe.exit_code, 0) << describe.describe();
  EXPECT_NE(describe.out.find("HooksAttempted: 2"), std::string::npos) << describe.out;
  EXPECT_NE(describe.out.find("shop/db"), std::string::npos) << describe.out;
  const CommandResult logs = stillpoint({"backup", "logs", "b1"}, false);
  ASSERT_EQ(logs.exit_code, 0) << logs.describe();
  EXPECT_NE(logs.out.find("\"hookName\":\"<from-annotation>\""), std::string::npos)
      << logs.out;
  EXPECT_NE(logs.out.find("\"hookPhase\":\"pre\""), std::string::npos);

  // A second backup of the same name is refused; delete removes it, checksums included.
  const CommandResult again = stillpoint({"backup", "create", "b1"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  const CommandResult del = stillpoint({"backup", "delete", "b1"}, false);
  ASSERT_EQ(del.exit_code, 0) << del.describe();
  EXPECT_FALSE(std::filesystem::exists(storage_ / "backups" / "b1"));
}

// A failing pre hook in Fail mode: the pod's JSON stays out, its post hook still runs
// (the app is thawed), the backup is PartiallyFailed and the counts say why.
TEST_F(BackupE2eTest, FailingPreHookKeepsThePodOutButItsPostHookRuns) {
  const std::string m = markers_.string();
  apply(ns_yaml("f") +
        pod_yaml("f", "frozen",
                 hook_annotations("echo pre >> /markers/f; exit 3", "echo post >> /markers/f"),
                 m) +
        pod_yaml("f", "tolerant",
                 hook_annotations("exit 4", "true",
                                  "    pre.hook.backup.velero.io/on-error: Continue\n"),
                 m));
  wait_ready("f", "frozen");
  wait_ready("f", "tolerant");
  const CommandResult r = stillpoint({"backup", "create", "b2", "--include-namespaces", "f"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(read_file(markers_ / "f"), "pre\npost\n");
  const auto entries = tarball_entries("b2");
  EXPECT_FALSE(contains(entries, "resources/pods/namespaces/f/frozen.json"));
  EXPECT_TRUE(contains(entries, "resources/pods/namespaces/f/tolerant.json"));
  const auto b = backup_object("b2");
  EXPECT_EQ(b["status"]["phase"], "PartiallyFailed");
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 4);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksFailed"], 2);
  bool saw_exit_3 = false;
  for (const auto& h : b["status"]["hookResults"]) {
    if (h["pod"] == "frozen" && h["phase"] == "pre") {
      EXPECT_EQ(h["result"], "Failed");
      EXPECT_EQ(h["exitCode"], 3);
      saw_exit_3 = true;
    }
  }
  EXPECT_TRUE(saw_exit_3) << b.dump(2);
}

// A script for `kubectl exec POD -- /bin/sh -c`: the stat line of every live process in the
// container other than PID 1 and the script itself (zombies are dead: skipped). Builtins only,
// so the script forks nothing that would show up.
constexpr const char* kOtherProcesses =
    "for d in /proc/[0-9]*; do p=${d#/proc/}; [ $p = 1 ] || [ $p = $$ ] && continue; "
    "IFS= read -r s <$d/stat 2>/dev/null || continue; "
    "case ${s##*\\) } in Z*) continue ;; esac; echo \"$s\"; done";

// A hook of any common shape that outlives its timeout fails, and its command is stopped by
// stillpoint, whatever its argv became: a shell that exec'd its command, bash (which execs the
// last command of -c itself), a bare command, and a shell with a background child. kubesim,
// like containerd, leaves an exec'd process running when its stream closes, so only the stop
// exec (src/hooks/timed_out_command.h) ends them. One pod per shape, all in one backup.
TEST_F(BackupE2eTest, HookPastItsTimeoutIsKilled) {
  struct Shape {
    std::string pod;
    std::string command;  // JSON
    std::string stopped;  // the end of the hook's error
  };
  const std::vector<Shape> shapes = {
      {"shape-exec", R"(["/bin/sh", "-c", "exec sleep 311"])", "(1 process)"},
      {"shape-bash", R"(["bash", "-c", "sleep 312"])", "(1 process)"},
      {"shape-bare", R"(["sleep", "313"])", "(1 process)"},
      // The shell, both sleeps.
      {"shape-background", R"(["/bin/sh", "-c", "sleep 314 & sleep 315; wait"])",
       "(3 processes)"},
  };
  std::string yaml = ns_yaml("t");
  for (const Shape& s : shapes) {
    yaml += pod_yaml("t", s.pod,
                     "    pre.hook.backup.velero.io/command: '" + s.command + "'\n" +
                         "    pre.hook.backup.velero.io/timeout: 2s\n" +
                         "    post.hook.backup.velero.io/command: '[\"true\"]'\n",
                     markers_.string());
  }
  apply(yaml);
  for (const Shape& s : shapes) {
    wait_ready("t", s.pod);
  }
  const auto started = std::chrono::steady_clock::now();
  const CommandResult r = stillpoint({"backup", "create", "b3", "--include-namespaces", "t"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
  const auto b = backup_object("b3");
  EXPECT_EQ(b["status"]["phase"], "PartiallyFailed");
  const auto entries = tarball_entries("b3");
  for (const Shape& s : shapes) {
    SCOPED_TRACE(s.pod);
    std::map<std::string, nlohmann::json> hooks;  // by phase
    for (const auto& h : b["status"]["hookResults"]) {
      if (h["pod"] == s.pod) {
        hooks[h["phase"].get<std::string>()] = h;
      }
    }
    EXPECT_EQ(hooks["pre"]["result"], "Failed") << b.dump(2);
    EXPECT_EQ(hooks["pre"]["error"], "timed out after 2s; its command was stopped " + s.stopped)
        << b.dump(2);
    EXPECT_EQ(hooks["post"]["result"], "Succeeded") << b.dump(2);
    // Nothing of the hook is left in the container (the stop waits for its processes to end;
    // the deadline only absorbs kubectl's own latency).
    std::string left;
    EXPECT_TRUE(kubesim::testing::KubesimFixture::eventually(
        [&] {
          const CommandResult ps =
              sim_.kubectl({"exec", "-n", "t", s.pod, "--", "/bin/sh", "-c", kOtherProcesses});
          left = ps.exit_code == 0 ? ps.out : ps.describe();
          return left.empty();
        },
        std::chrono::seconds(30)))
        << "still running in the container:\n" << left;
    // onError (Fail by default) applies as before: the pod's own JSON stays out.
    EXPECT_FALSE(contains(entries, "resources/pods/namespaces/t/" + s.pod + ".json"));
  }
  const CommandResult logs = stillpoint({"backup", "logs", "b3"}, false);
  ASSERT_EQ(logs.exit_code, 0) << logs.describe();
  EXPECT_NE(logs.out.find("its command was stopped (3 processes)"), std::string::npos)
      << logs.out;
}

// A pod that is not running keeps its hooks from running: skipped, not failed.
TEST_F(BackupE2eTest, PendingPodsHooksAreSkipped) {
  apply(ns_yaml("p") +
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\n  namespace: p\n  annotations:\n" +
        hook_annotations("true", "true") +
        "spec:\n  initContainers:\n  - {name: init, image: debian, command: ['false']}\n"
        "  containers:\n  - {name: app, image: debian}\n");
  const CommandResult r = stillpoint({"backup", "create", "b4", "--include-namespaces", "p"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto b = backup_object("b4");
  EXPECT_EQ(b["status"]["phase"], "Completed");
  EXPECT_EQ(b["status"]["hookStatus"]["hooksSkipped"], 2);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 0);
  EXPECT_TRUE(contains(tarball_entries("b4"), "resources/pods/namespaces/p/stuck.json"));
}

// SIGTERM while a pre hook runs: no new work, but the started pod's post hook runs before the
// process exits 130; the backup is recorded as Failed, never Completed.
TEST_F(BackupE2eTest, SigtermStillRunsStartedPostHooks) {
  apply(ns_yaml("s") +
        pod_yaml("s", "busy",
                 hook_annotations("echo pre >> /markers/s; sleep 20", "echo post >> /markers/s"),
                 markers_.string()));
  wait_ready("s", "busy");
  const std::string kubeconfig = "--kubeconfig=" + sim_.server().kubeconfig_path().string();
  const std::string storage = "--storage=" + storage_.string();
  std::vector<std::string> args{STILLPOINT_BINARY, "backup", "create", "b5",
                                "--include-namespaces", "s", kubeconfig, storage};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return read_file(markers_ / "s") == "pre\n"; }, std::chrono::seconds(60)));
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(read_file(markers_ / "s"), "pre\npost\n");
  const auto b = backup_object("b5");
  EXPECT_EQ(b["status"]["phase"], "Failed");
}

// Bad input: one clear line each, nothing listed as a backup.
TEST_F(BackupE2eTest, BadInputIsOneLineAndPublishesNothing) {
  const auto unreachable = sim_.dir() / "unreachable.kubeconfig";
  {
    std::ofstream out(unreachable);
    out << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "
           "'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n"
           "  context: {cluster: c, user: u}\ncurrent-context: x\n";
  }
  const CommandResult down = kubesim::testing::run_command(
      {STILLPOINT_BINARY, "backup", "create", "x1", "--kubeconfig=" + unreachable.string(),
       "--storage=" + storage_.string()});
  EXPECT_EQ(down.exit_code, 1) << down.describe();
  EXPECT_NE(down.err.find("127.0.0.1:1"), std::string::npos) << down.err;

  const CommandResult selector = stillpoint({"backup", "create", "x2", "--selector", "a in b"});
  EXPECT_EQ(selector.exit_code, 1);
  EXPECT_NE(selector.err.find("--selector"), std::string::npos) << selector.err;

  const auto spec = sim_.dir() / "bad.yaml";
  {
    std::ofstream out(spec);
    out << "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: x3}\nspec:\n"
           "  includedNamespaces: default\n";
  }
  const CommandResult bad_spec = stillpoint({"backup", "create", "--from-file", spec.string()});
  EXPECT_EQ(bad_spec.exit_code, 1);
  EXPECT_NE(bad_spec.err.find("includedNamespaces"), std::string::npos) << bad_spec.err;

  const auto file = sim_.dir() / "not-a-dir";
  { std::ofstream out(file); }
  const CommandResult unwritable = kubesim::testing::run_command(
      {STILLPOINT_BINARY, "backup", "create", "x4",
       "--kubeconfig=" + sim_.server().kubeconfig_path().string(),
       "--storage=" + file.string()});
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_NE(unwritable.err.find(file.string()), std::string::npos) << unwritable.err;

  for (const CommandResult* r : {&down, &selector, &bad_spec, &unwritable}) {
    EXPECT_EQ(std::count(r->err.begin(), r->err.end(), '\n'), 1) << r->err;
  }
  const CommandResult get = stillpoint({"backup", "get", "-o", "json"}, false);
  ASSERT_EQ(get.exit_code, 0) << get.describe();
  EXPECT_TRUE(nlohmann::json::parse(get.out)["items"].empty()) << get.out;
}

}  // namespace
}  // namespace stillpoint::e2e
