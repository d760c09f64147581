// `stillpoint restore create` end to end: backups made by the real binary (and archives written
// here with libarchive in Velero's layout, as another tool would) restored into kubesim, whose
// pods run real processes, so injected init containers and exec hooks really run. Then what
// `restore get | describe | logs` report about it.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>

#include <archive.h>
#include <archive_entry.h>

#include "e2e_fixture.h"

extern char** environ;

namespace stillpoint::e2e {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kMarker = "marker-7f3a";

std::string ns_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n---\n";
}

// A bare pod "db" (no controller) with an emptyDir `data` at /data. Its app container notes at
// startup whether the restore's init container had written the marker (SEEN-BY-APP), then
// idles; its restore exec hook prints what it finds in the marker file.
std::string db_pod_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  namespace: " + ns +
         "\n  labels: {app: db}\n  annotations:\n"
         "    post.hook.restore.velero.io/container: app\n"
         "    post.hook.restore.velero.io/command: "
         "'[\"/bin/sh\", \"-c\", \"echo hook-saw-$(cat /data/MARKER)\"]'\n"
         "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
         "    image: debian\n"
         "    command: ['/bin/sh', '-c', 'if [ -f /data/MARKER ]; then cp /data/MARKER "
         "/data/SEEN-BY-APP; fi; exec sleep infinity']\n"
         "    volumeMounts:\n    - {name: data, mountPath: /data}\n"
         "  volumes:\n  - name: data\n    emptyDir: {}\n---\n";
}

// The namespace of scenario 1: the pod, a config map, a secret, and a claim bound to a
// retained volume (API objects only: kubesim binds nothing itself).
std::string workload_yaml(const std::string& ns, const std::filesystem::path& pv_dir) {
  return ns_yaml(ns) + db_pod_yaml(ns) +
         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " + ns +
         "}\ndata: {currency: EUR}\n---\n"
         "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: " +
         ns +
         "}\ntype: Opaque\ndata: {password: c2VjcmV0}\n---\n"
         "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: claim, namespace: " +
         ns +
         "}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: ''\n"
         "  resources: {requests: {storage: 1Gi}}\n  volumeName: pv-" +
         ns +
         "\n---\n"
         "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv-" +
         ns +
         "}\nspec:\n"
         "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
         "  persistentVolumeReclaimPolicy: Retain\n  storageClassName: ''\n"
         "  hostPath: {path: " +
         pv_dir.string() +
         "}\n"
         "  claimRef: {namespace: " +
         ns + ", name: claim}\n";
}

// A Restore whose spec hook injects an init container, with the pod's data volume mounted,
// into the pods labelled app=db of `hook_namespace` (the namespace restored INTO).
std::string restore_spec_yaml(const std::string& name,
                              const std::string& backup,
                              const std::string& hook_namespace) {
  return "apiVersion: velero.io/v1\nkind: Restore\nmetadata:\n  name: " + name +
         "\nspec:\n  backupName: " + backup +
         "\n  hooks:\n    resources:\n    - name: mark-data\n      includedNamespaces: [" +
         hook_namespace +
         "]\n      labelSelector:\n        matchLabels: {app: db}\n      postHooks:\n"
         "      - init:\n          initContainers:\n          - name: restore-marker\n"
         "            image: debian\n"
         "            command: ['/bin/sh', '-c', 'echo " +
         kMarker +
         " > /data/MARKER']\n"
         "            volumeMounts:\n            - {name: data, mountPath: /data}\n";
}

// A pod idling in container "app" with the given annotation lines (indented by 4) and extra
// spec lines (indented by 2).
std::string pod_yaml(const std::string& ns,
                     const std::string& name,
                     const std::string& annotations,
                     const std::string& extra_spec = "") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n" + annotations + "spec:\n  terminationGracePeriodSeconds: 1\n" +
         extra_spec + "  containers:\n  - {name: app, image: debian}\n---\n";
}

std::string exec_hook(const std::string& command, const std::string& container = "app") {
  return "    post.hook.restore.velero.io/container: " + container +
         "\n    post.hook.restore.velero.io/command: '[\"/bin/sh\", \"-c\", \"" + command +
         "\"]'\n";
}

struct ArchiveEntry {
  std::string path;
  std::string body;
};

// A gzip'd tar of regular files (mode 0755, as Velero writes them), written with libarchive
// directly: what another tool's backup looks like to stillpoint.
void write_tarball(const std::filesystem::path& file, const std::vector<ArchiveEntry>& entries) {
  struct archive* a = archive_write_new();
  ASSERT_EQ(archive_write_add_filter_gzip(a), ARCHIVE_OK);
  ASSERT_EQ(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK) << archive_error_string(a);
  for (const ArchiveEntry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0755);
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.body.size()));
    archive_entry_set_mtime(entry, 1700000000, 0);
    EXPECT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, e.body.data(), e.body.size()),
              static_cast<la_ssize_t>(e.body.size()));
    archive_entry_free(entry);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
}

// Server-set metadata as Velero captures it from a live object.
json server_metadata(const std::string& name, const std::string& ns, const std::string& uid) {
  json md = {{"name", name},
             {"uid", uid},
             {"resourceVersion", "987654"},
             {"creationTimestamp", "2024-05-06T07:08:09Z"},
             {"managedFields",
              {{{"manager", "kubectl-client-side-apply"},
                {"operation", "Update"},
                {"apiVersion", "v1"},
                {"time", "2024-05-06T07:08:09Z"},
                {"fieldsType", "FieldsV1"},
                {"fieldsV1", {{"f:metadata", json::object()}}}}}}};
  if (!ns.empty())
    md["namespace"] = ns;
  return md;
}

json namespace_item(const std::string& ns) {
  json md = server_metadata(ns, "", "0b1e6c1a-0000-4000-8000-000000000001");
  md["labels"] = {{"kubernetes.io/metadata.name", ns}};
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", md},
          {"spec", {{"finalizers", {"kubernetes"}}}},
          {"status", {{"phase", "Active"}}}};
}

json config_map_item(const std::string& ns, const std::string& name, const std::string& uid) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", server_metadata(name, ns, uid)},
          {"data", {{"k", "v-" + name}}}};
}

// The entries of one item, at the legacy path and the preferred-version path, same
// bytes (compact JSON), as Velero writes them.
void add_item(std::vector<ArchiveEntry>& entries,
              const std::string& group_resource,
              const json& item) {
  const std::string ns = item["metadata"].value("namespace", "");
  const std::string name = item["metadata"]["name"];
  const std::string where = ns.empty() ? "cluster/" : "namespaces/" + ns + "/";
  entries.push_back({"resources/" + group_resource + "/" + where + name + ".json", item.dump()});
  entries.push_back(
      {"resources/" + group_resource + "/v1-preferredversion/" + where + name + ".json",
       item.dump()});
}

class RestoreE2eTest : public E2eTest {
 protected:
  // kubectl get … -o json; null when kubectl fails (not found).
  json kget(const std::string& ns, const std::string& what) {
    std::vector<std::string> args{"get", what, "-o", "json"};
    if (!ns.empty())
      args.insert(args.end(), {"-n", ns});
    const CommandResult r = sim_.kubectl(args);
    if (r.exit_code != 0)
      return json();
    return json::parse(r.out, nullptr, false);
  }

  void delete_namespace(const std::string& ns) {
    const CommandResult r = sim_.kubectl({"delete", "namespace", ns, "--timeout=60s"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
        [&] { return kget("", "namespace/" + ns).is_null(); }, std::chrono::seconds(60)));
  }

  void backup(const std::string& name, const std::string& ns) {
    const CommandResult r = stillpoint({"backup", "create", name, "--include-namespaces", ns});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  std::filesystem::path write_spec(const std::string& file, const std::string& yaml) {
    const auto path = sim_.dir() / file;
    std::ofstream(path) << yaml;
    return path;
  }

  // The Restore object as `restore get NAME -o json` lists it.
  json restore_object(const std::string& name) {
    const CommandResult r = stillpoint({"restore", "get", name, "-o", "json"}, false);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    const json list = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(list.is_object() && list["items"].size() == 1) << r.out;
    if (!list.is_object() || list["items"].size() != 1)
      return json::object();
    return list["items"][0];
  }

  std::string describe(const std::string& name) {
    const CommandResult r = stillpoint({"restore", "describe", name, "--details"}, false);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return r.out;
  }

  std::string logs(const std::string& name) {
    const CommandResult r = stillpoint({"restore", "logs", name}, false);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return r.out;
  }

  // The hook record of pod `pod` in the restore's status.
  static json hook_of(const json& restore, const std::string& pod) {
    for (const auto& h : restore["status"]["hookResults"]) {
      if (h["pod"] == pod)
        return h;
    }
    ADD_FAILURE() << "no hook record for pod " << pod << " in " << restore.dump(2);
    return json::object();
  }

  // A backup in Velero's layout written by hand: the tarball from `entries` plus
  // velero-backup.json (a Completed Backup).
  void write_velero_backup(const std::string& name, std::vector<ArchiveEntry> entries) {
    const auto dir = storage_ / "backups" / name;
    std::filesystem::create_directories(dir);
    entries.insert(entries.begin(), ArchiveEntry{"metadata/version", "1.1.0\n"});
    write_tarball(dir / (name + ".tar.gz"), entries);
    const json backup = {
        {"apiVersion", "velero.io/v1"},
        {"kind", "Backup"},
        {"metadata", {{"name", name}, {"namespace", "velero"}}},
        {"spec", {{"includedNamespaces", {"*"}}}},
        {"status", {{"phase", "Completed"}, {"version", 1}, {"formatVersion", "1.1.0"}}}};
    std::ofstream(dir / "velero-backup.json") << backup.dump();
  }
};

// A namespace deleted and restored from its backup comes back whole: objects, the bound claim
// and its volume; the spec's init container runs before the app (which sees its marker) and
// the exec hook runs once the app is up, its output in the restore's log.
TEST_F(RestoreE2eTest, DeletedNamespaceComesBackWithInitAndExecHooks) {
  apply(workload_yaml("src", sim_.dir() / "pv"));
  wait_ready("src", "db");
  backup("b1", "src");
  EXPECT_TRUE(contains(tarball_entries("b1"), "resources/persistentvolumes/cluster/pv-src.json"));
  delete_namespace("src");
  ASSERT_EQ(sim_.kubectl({"delete", "pv", "pv-src"}).exit_code, 0);

  const auto spec = write_spec("r1.yaml", restore_spec_yaml("r1", "b1", "src"));
  const CommandResult r = stillpoint({"restore", "create", "--from-file", spec.string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();

  const json cm = kget("src", "configmap/settings");
  ASSERT_FALSE(cm.is_null());
  EXPECT_EQ(cm["data"]["currency"], "EUR");
  EXPECT_EQ(cm["metadata"]["labels"]["velero.io/restore-name"], "r1");
  EXPECT_EQ(cm["metadata"]["labels"]["velero.io/backup-name"], "b1");
  const json secret = kget("src", "secret/creds");
  ASSERT_FALSE(secret.is_null());
  EXPECT_EQ(secret["data"]["password"], "c2VjcmV0");
  const json claim = kget("src", "pvc/claim");
  ASSERT_FALSE(claim.is_null());
  EXPECT_EQ(claim["spec"]["volumeName"], "pv-src");
  const json volume = kget("", "pv/pv-src");
  ASSERT_FALSE(volume.is_null());
  EXPECT_EQ(volume["spec"]["persistentVolumeReclaimPolicy"], "Retain");
  EXPECT_EQ(volume["spec"]["claimRef"]["name"], "claim");

  const json pod = kget("src", "pod/db");
  ASSERT_FALSE(pod.is_null());
  ASSERT_EQ(pod["spec"]["initContainers"].size(), 1u) << pod.dump(2);
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], "restore-marker");
  wait_ready("src", "db");
  // The app container started after the init container wrote the marker.
  const CommandResult seen =
      sim_.kubectl({"exec", "-n", "src", "db", "-c", "app", "--", "cat", "/data/SEEN-BY-APP"});
  EXPECT_EQ(seen.exit_code, 0) << seen.describe();
  EXPECT_EQ(seen.out, std::string(kMarker) + "\n");

  // The exec hook found the marker, and its output is in the log.
  EXPECT_NE(logs("r1").find(std::string("hook-saw-") + kMarker), std::string::npos);
  const std::string details = describe("r1");
  EXPECT_NE(details.find("src/db"), std::string::npos) << details;
  EXPECT_NE(details.find("Succeeded"), std::string::npos) << details;
  EXPECT_NE(details.find("HooksAttempted: 1"), std::string::npos) << details;

  const json restore = restore_object("r1");
  EXPECT_EQ(restore["status"]["phase"], "Completed") << restore.dump(2);
  EXPECT_EQ(restore["status"]["hookStatus"]["hooksAttempted"], 1);
  EXPECT_EQ(restore["status"]["hookStatus"]["hooksFailed"], 0);
  EXPECT_EQ(hook_of(restore, "db")["result"], "Succeeded");
  EXPECT_EQ(restore["status"]["progress"]["itemsFailed"], 0);
  EXPECT_GE(restore["status"]["progress"]["itemsRestored"].get<int>(),
            6);  // ns, pod, cm, secret, pvc, pv
}

// --namespace-mappings restores into the new namespace; a spec hook selects pods by the
// namespace they are restored INTO; the source namespace is not touched.
TEST_F(RestoreE2eTest, NamespaceMappingRestoresIntoTheNewNamespaceOnly) {
  apply(workload_yaml("src", sim_.dir() / "pv"));
  wait_ready("src", "db");
  backup("b2", "src");
  const json src_cm_before = kget("src", "configmap/settings");

  const auto spec = write_spec("r2.yaml", restore_spec_yaml("r2", "b2", "dst"));
  const CommandResult r = stillpoint(
      {"restore", "create", "--from-file", spec.string(), "--namespace-mappings", "src:dst"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();

  const json pod = kget("dst", "pod/db");
  ASSERT_FALSE(pod.is_null());
  ASSERT_EQ(pod["spec"]["initContainers"].size(), 1u) << pod.dump(2);
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], "restore-marker");
  EXPECT_EQ(kget("dst", "configmap/settings")["data"]["currency"], "EUR");
  EXPECT_EQ(kget("dst", "secret/creds")["data"]["password"], "c2VjcmV0");
  EXPECT_FALSE(kget("dst", "pvc/claim").is_null());
  EXPECT_NE(logs("r2").find(std::string("hook-saw-") + kMarker), std::string::npos);

  // The source: same objects, unchanged, no init container, no restore labels.
  const json src_cm = kget("src", "configmap/settings");
  EXPECT_EQ(src_cm["metadata"]["uid"], src_cm_before["metadata"]["uid"]);
  EXPECT_EQ(src_cm["metadata"]["resourceVersion"], src_cm_before["metadata"]["resourceVersion"]);
  EXPECT_FALSE(src_cm["metadata"].contains("labels") &&
               src_cm["metadata"]["labels"].contains("velero.io/restore-name"));
  const json src_pod = kget("src", "pod/db");
  EXPECT_FALSE(src_pod["spec"].contains("initContainers")) << src_pod.dump(2);

  const json restore = restore_object("r2");
  EXPECT_EQ(restore["status"]["phase"], "Completed") << restore.dump(2);
  EXPECT_EQ(hook_of(restore, "db")["namespace"], "dst");
  EXPECT_EQ(hook_of(restore, "db")["result"], "Succeeded");
}

// A hook on a container the pod lacks fails at once, without waiting; other pods' hooks of
// the same restore still run.
TEST_F(RestoreE2eTest, HookOnAMissingContainerFailsAtOnce) {
  apply(ns_yaml("h") + pod_yaml("h", "good", exec_hook("echo good-hook-ran")) +
        pod_yaml("h", "bad", exec_hook("echo never", "nope")));
  wait_ready("h", "good");
  wait_ready("h", "bad");
  backup("b3", "h");
  delete_namespace("h");

  const auto started = SteadyClock::now();
  const CommandResult r =
      stillpoint({"restore", "create", "r3", "--from-backup", "b3", "--hook-wait-timeout", "60s"});
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.describe();

  const json restore = restore_object("r3");
  EXPECT_EQ(restore["status"]["phase"], "PartiallyFailed");
  const json bad = hook_of(restore, "bad");
  EXPECT_EQ(bad["result"], "Failed");
  EXPECT_EQ(bad["container"], "nope");
  EXPECT_NE(bad.value("error", "").find("no such container"), std::string::npos) << bad.dump();
  EXPECT_EQ(hook_of(restore, "good")["result"], "Succeeded");
  EXPECT_NE(logs("r3").find("good-hook-ran"), std::string::npos);
  EXPECT_NE(describe("r3").find("no such container"), std::string::npos);
}

// A restore exec hook past its exec-timeout fails, and its command is stopped in the restored
// container (the same runner as backup hooks): kubesim, like containerd, would leave it
// running once the stream closed.
TEST_F(RestoreE2eTest, ExecHookPastItsTimeoutIsStopped) {
  apply(ns_yaml("x") +
        pod_yaml("x", "slow",
                 exec_hook("sleep 318") + "    post.hook.restore.velero.io/exec-timeout: 2s\n"));
  wait_ready("x", "slow");
  backup("b8", "x");
  delete_namespace("x");

  const CommandResult r = stillpoint({"restore", "create", "r8", "--from-backup", "b8"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(kubesim::testing::run_command({"pgrep", "-f", "sleep 318"}).exit_code, 1)
      << kubesim::testing::run_command({"pgrep", "-af", "sleep 318"}).out;
  const json restore = restore_object("r8");
  EXPECT_EQ(restore["status"]["phase"], "PartiallyFailed") << restore.dump(2);
  const json hook = hook_of(restore, "slow");
  EXPECT_EQ(hook["result"], "Failed");
  EXPECT_EQ(hook.value("error", ""), "timed out after 2s; its command was stopped (2 processes)")
      << hook.dump();
  EXPECT_NE(logs("r8").find("its command was stopped (2 processes)"), std::string::npos);
}

// A container that never starts (its pod's init container never finishes): the hook waits at
// most --hook-wait-timeout, is NotExecuted, and the restore ends PartiallyFailed.
TEST_F(RestoreE2eTest, HookOfAContainerThatNeverStartsIsNotExecutedAfterTheWait) {
  apply(ns_yaml("w") +
        pod_yaml("w", "stuck", exec_hook("echo never"),
                 "  initContainers:\n  - {name: wait, image: debian, command: [sleep, '3601']}\n"));
  backup("b4", "w");
  delete_namespace("w");

  const auto started = SteadyClock::now();
  const CommandResult r =
      stillpoint({"restore", "create", "r4", "--from-backup", "b4", "--hook-wait-timeout", "5s"});
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << r.describe();

  const json restore = restore_object("r4");
  EXPECT_EQ(restore["status"]["phase"], "PartiallyFailed");
  const json hook = hook_of(restore, "stuck");
  EXPECT_EQ(hook["result"], "NotExecuted");
  const std::string error = hook.value("error", "");
  EXPECT_NE(error.find("not executed"), std::string::npos) << error;
  EXPECT_NE(error.find("did not become running within 5s"), std::string::npos) << error;
  // The pod itself was restored, init container included.
  const json pod = kget("w", "pod/stuck");
  ASSERT_FALSE(pod.is_null());
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], "wait");
}

// SIGINT while a hook waits for a container that never starts: the wait is given up at once
// (not after --hook-wait-timeout), the hook is NotExecuted, the restore is recorded Failed,
// and the exit code is 130.
TEST_F(RestoreE2eTest, InterruptGivesUpWaitingHooksAndRecordsTheRestore) {
  apply(ns_yaml("i") +
        pod_yaml("i", "stuck", exec_hook("echo never"),
                 "  initContainers:\n  - {name: wait, image: debian, command: [sleep, '3602']}\n"));
  backup("b7", "i");
  delete_namespace("i");

  std::vector<std::string> args{STILLPOINT_BINARY, "restore", "create", "r7", "--from-backup",
                                "b7", "--hook-wait-timeout", "10m",
                                "--kubeconfig=" + sim_.server().kubeconfig_path().string(),
                                "--storage=" + storage_.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // stderr goes to a file, where the restore's milestones appear as they happen.
  const std::filesystem::path err_file = sim_.dir() / "r7.stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const auto started = SteadyClock::now();
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0);
  // Every object is restored and the pod's hook is waiting for container "app".
  const bool waiting = kubesim::testing::KubesimFixture::eventually(
      [&] {
        return read_file(err_file).find("waiting for the volume data and exec hooks of 1 pods") !=
               std::string::npos;
      },
      std::chrono::seconds(60));
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(waiting) << read_file(err_file);
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(90));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);

  const json restore = restore_object("r7");
  EXPECT_EQ(restore["status"]["phase"], "Failed");
  EXPECT_NE(restore["status"].value("failureReason", "").find("interrupted"), std::string::npos);
  const json hook = hook_of(restore, "stuck");
  EXPECT_EQ(hook["result"], "NotExecuted");
  EXPECT_NE(hook.value("error", "").find("the restore was interrupted"), std::string::npos)
      << hook.dump();
}

// A CRD and one of its custom resources: the CRD is created first (its priority), the restore
// waits for it to be Established and re-discovers, then creates the custom resource, which
// the discovery made at the start of the restore did not know.
TEST_F(RestoreE2eTest, CustomResourcesFollowTheirRestoredDefinition) {
  const std::string crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
)";
  apply(crd);
  const CommandResult w = sim_.kubectl(
      {"wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=60s"});
  ASSERT_EQ(w.exit_code, 0) << w.describe();
  apply(ns_yaml("c") +
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: c}\n"
        "spec: {size: 3}\n");
  const CommandResult b = stillpoint({"backup", "create", "b8", "--include-namespaces", "c",
                                      "--include-cluster-resources=true"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  delete_namespace("c");
  const CommandResult d = sim_.kubectl({"delete", "crd", "gadgets.example.com"});
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return kget("", "crd/gadgets.example.com").is_null(); }, std::chrono::seconds(60)));

  const CommandResult r = stillpoint({"restore", "create", "r8", "--from-backup", "b8",
                                      "--include-namespaces", "c",
                                      "--include-cluster-resources=true"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(kget("", "crd/gadgets.example.com").is_null());
  const json gadget = kget("c", "gadget/g1");
  ASSERT_FALSE(gadget.is_null()) << logs("r8");
  EXPECT_EQ(gadget["spec"]["size"], 3);
  EXPECT_EQ(gadget["metadata"]["labels"]["velero.io/restore-name"], "r8");
  EXPECT_EQ(restore_object("r8")["status"]["progress"]["itemsFailed"], 0);
}

// Restoring onto objects that exist: policy none skips them all and warns about the one that
// differs; policy update puts the backup's data back.
TEST_F(RestoreE2eTest, ExistingObjectsAreSkippedOrUpdatedByPolicy) {
  apply(ns_yaml("keep") +
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: keep}\n"
        "data: {currency: EUR}\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: keep}\n"
        "data: {password: c2VjcmV0}\n");
  backup("b5", "keep");
  delete_namespace("keep");
  const CommandResult first = stillpoint({"restore", "create", "r5a", "--from-backup", "b5"});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_EQ(restore_object("r5a")["status"]["progress"]["itemsRestored"], 3);

  const CommandResult patch =
      sim_.kubectl({"patch", "-n", "keep", "configmap", "settings", "--type=merge", "-p",
                    R"({"data":{"currency":"USD"}})"});
  ASSERT_EQ(patch.exit_code, 0) << patch.describe();

  const CommandResult second = stillpoint(
      {"restore", "create", "r5b", "--from-backup", "b5", "--existing-resource-policy", "none"});
  EXPECT_EQ(second.exit_code, 0) << second.describe();
  const json skipped = restore_object("r5b");
  EXPECT_EQ(skipped["status"]["phase"], "Completed");
  EXPECT_GT(skipped["status"]["progress"]["itemsSkipped"].get<int>(), 0) << skipped.dump(2);
  EXPECT_EQ(skipped["status"]["progress"]["itemsRestored"], 0) << skipped.dump(2);
  EXPECT_GE(skipped["status"]["warnings"].get<int>(), 1);
  const std::string text = describe("r5b");
  EXPECT_NE(text.find("configmaps keep/settings: already exists and differs"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("secrets keep/creds"), std::string::npos) << text;  // the same: no warning
  EXPECT_EQ(kget("keep", "configmap/settings")["data"]["currency"], "USD");

  const CommandResult third = stillpoint(
      {"restore", "create", "r5c", "--from-backup", "b5", "--existing-resource-policy", "update"});
  EXPECT_EQ(third.exit_code, 0) << third.describe();
  EXPECT_EQ(kget("keep", "configmap/settings")["data"]["currency"], "EUR");
  EXPECT_EQ(restore_object("r5c")["status"]["progress"]["itemsRestored"], 1);
}

// An archive in Velero's layout that another tool wrote (libarchive here, not stillpoint's
// writer): its objects are created without the source cluster's server-set fields, and
// labelled with the restore.
TEST_F(RestoreE2eTest, VeleroLayoutArchiveFromAnotherToolIsRestored) {
  const std::string old_uid = "6f0c2a55-1111-4222-8333-444455556666";
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", server_metadata("web", "legacy", "6f0c2a55-9999-4222-8333-444455556666")},
      {"spec",
       {{"containers", {{{"name", "app"}, {"image", "debian"}}}},
        {"nodeName", "node-7"},
        {"restartPolicy", "Always"},
        {"terminationGracePeriodSeconds", 1},
        {"serviceAccountName", "default"}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", "10.244.1.7"},
        {"containerStatuses",
         {{{"name", "app"}, {"ready", true}, {"state", {{"running", json::object()}}}}}}}}};
  pod["metadata"]["labels"] = {{"app", "web"}};
  std::vector<ArchiveEntry> entries;
  add_item(entries, "namespaces", namespace_item("legacy"));
  add_item(entries, "configmaps", config_map_item("legacy", "cfg", old_uid));
  add_item(entries, "pods", pod);
  write_velero_backup("vb", entries);

  const CommandResult r = stillpoint({"restore", "create", "r6", "--from-backup", "vb"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();

  const json cm = kget("legacy", "configmap/cfg");
  ASSERT_FALSE(cm.is_null());
  EXPECT_EQ(cm["data"]["k"], "v-cfg");
  EXPECT_NE(cm["metadata"]["uid"], old_uid);
  EXPECT_NE(cm["metadata"]["resourceVersion"], "987654");
  EXPECT_NE(cm["metadata"]["creationTimestamp"], "2024-05-06T07:08:09Z");
  EXPECT_FALSE(cm["metadata"].contains("managedFields"));
  EXPECT_EQ(cm["metadata"]["labels"]["velero.io/restore-name"], "r6");
  EXPECT_EQ(cm["metadata"]["labels"]["velero.io/backup-name"], "vb");
  const json ns = kget("", "namespace/legacy");
  EXPECT_EQ(ns["metadata"]["labels"]["velero.io/restore-name"], "r6");
  const json restored_pod = kget("legacy", "pod/web");
  ASSERT_FALSE(restored_pod.is_null());
  EXPECT_EQ(restored_pod["metadata"]["labels"]["velero.io/restore-name"], "r6");
  EXPECT_NE(restored_pod["spec"]["nodeName"], "node-7");
  EXPECT_NE(restored_pod["status"].value("podIP", ""), "10.244.1.7");
  wait_ready("legacy", "web");

  const json restore = restore_object("r6");
  EXPECT_EQ(restore["status"]["phase"], "Completed");
  // Each item once, though the archive holds it twice (legacy and preferred-version paths).
  EXPECT_EQ(restore["status"]["progress"]["itemsRestored"], 3) << restore.dump(2);
}

// A backup that is not there: one line naming it and the location, no restore recorded.
TEST_F(RestoreE2eTest, MissingBackupIsAnErrorNamingItAndTheLocation) {
  const CommandResult r = stillpoint({"restore", "create", "r7", "--from-backup", "nope"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("\"nope\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(storage_.string()), std::string::npos) << r.err;
  const CommandResult get = stillpoint({"restore", "get", "-o", "json"}, false);
  ASSERT_EQ(get.exit_code, 0) << get.describe();
  EXPECT_TRUE(json::parse(get.out)["items"].empty()) << get.out;
}

// A tarball cut in half: the restore Fails, says the archive cannot be read, creates nothing.
TEST_F(RestoreE2eTest, TruncatedTarballFailsTheRestoreAndCreatesNothing) {
  std::string yaml = ns_yaml("trunc");
  // Enough incompressible-ish data that half the tarball ends inside the items.
  for (int i = 0; i < 20; ++i) {
    yaml += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" + std::to_string(i) +
            ", namespace: trunc}\ndata: {i: '" + std::to_string(i * 7919) + "'}\n---\n";
  }
  apply(yaml);
  backup("b8", "trunc");
  delete_namespace("trunc");
  const auto tarball = storage_ / "backups" / "b8" / "b8.tar.gz";
  std::filesystem::resize_file(tarball, std::filesystem::file_size(tarball) / 2);

  const CommandResult r = stillpoint({"restore", "create", "r8", "--from-backup", "b8"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const json restore = restore_object("r8");
  EXPECT_EQ(restore["status"]["phase"], "Failed");
  EXPECT_NE(restore["status"].value("failureReason", "").find("cannot be read"), std::string::npos)
      << restore.dump(2);
  EXPECT_EQ(restore["status"]["progress"]["itemsRestored"], 0);
  EXPECT_EQ(restore["status"]["errors"], 1);
  EXPECT_TRUE(kget("", "namespace/trunc").is_null());
  // describe lists the reason among the errors, not "Errors (1): <none>".
  const std::string text = describe("r8");
  const auto errors = text.find("Errors (1):");
  ASSERT_NE(errors, std::string::npos) << text;
  EXPECT_NE(text.find("cannot be read", errors), std::string::npos) << text;
}

// A backup records the SHA-256 and size of each object it wrote in <name>-checksums.json.gz;
// one flipped byte in the stored tarball then fails the restore, naming the tarball as
// damaged, before anything is created. A damaged log fails `backup logs` the same way.
TEST_F(RestoreE2eTest, FlippedByteInTheTarballFailsTheRestoreAsDamaged) {
  apply(ns_yaml("rot") +
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: rot}\n"
        "data: {currency: EUR}\n");
  backup("b9", "rot");
  const auto dir = storage_ / "backups" / "b9";
  const CommandResult gunzip =
      kubesim::testing::run_command({"gzip", "-dc", (dir / "b9-checksums.json.gz").string()});
  ASSERT_EQ(gunzip.exit_code, 0) << gunzip.describe();
  const json sums = json::parse(gunzip.out, nullptr, false);
  ASSERT_TRUE(sums.is_object()) << gunzip.out;
  EXPECT_EQ(sums["apiVersion"], "stillpoint.io/v1");
  EXPECT_EQ(sums["kind"], "BackupChecksums");
  EXPECT_EQ(sums["algorithm"], "SHA-256");
  const json& objects = sums["objects"];
  for (const std::string file : {"b9.tar.gz", "b9-logs.gz", "b9-resource-list.json.gz"}) {
    SCOPED_TRACE(file);
    const std::string key = "backups/b9/" + file;
    ASSERT_TRUE(objects.contains(key)) << sums.dump(2);
    const CommandResult sum = kubesim::testing::run_command({"sha256sum", (dir / file).string()});
    ASSERT_EQ(sum.exit_code, 0) << sum.describe();
    EXPECT_EQ(objects[key]["sha256"], sum.out.substr(0, 64));
    EXPECT_EQ(objects[key]["size"], std::filesystem::file_size(dir / file));
  }
  // Published after them: the backup object is not (cannot be) among them.
  EXPECT_EQ(objects.size(), 3u) << sums.dump(2);
  const CommandResult intact_logs = stillpoint({"backup", "logs", "b9"}, false);
  EXPECT_EQ(intact_logs.exit_code, 0) << intact_logs.describe();

  delete_namespace("rot");
  const auto tarball = dir / "b9.tar.gz";
  std::string bytes = read_file(tarball);
  ASSERT_GT(bytes.size(), 100u);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(tarball, std::ios::binary | std::ios::trunc) << bytes;

  const CommandResult r = stillpoint({"restore", "create", "r9", "--from-backup", "b9"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const json restore = restore_object("r9");
  EXPECT_EQ(restore["status"]["phase"], "Failed");
  const std::string reason = restore["status"].value("failureReason", "");
  EXPECT_NE(reason.find("backups/b9/b9.tar.gz in " + storage_.string() + " is damaged"),
            std::string::npos)
      << restore.dump(2);
  EXPECT_EQ(restore["status"]["progress"]["itemsRestored"], 0);
  EXPECT_TRUE(kget("", "namespace/rot").is_null());
  EXPECT_TRUE(kget("rot", "configmap/settings").is_null());

  const auto log = dir / "b9-logs.gz";
  std::string log_bytes = read_file(log);
  log_bytes[log_bytes.size() / 2] ^= 0x01;
  std::ofstream(log, std::ios::binary | std::ios::trunc) << log_bytes;
  const CommandResult damaged_logs = stillpoint({"backup", "logs", "b9"}, false);
  EXPECT_EQ(damaged_logs.exit_code, 1) << damaged_logs.describe();
  EXPECT_NE(damaged_logs.err.find("backups/b9/b9-logs.gz in " + storage_.string() +
                                  " is damaged"),
            std::string::npos)
      << damaged_logs.err;
}

// An entry whose path climbs out of the archive: Failed, naming the entry, nothing created.
TEST_F(RestoreE2eTest, EntryEscapingTheArchiveFailsTheRestoreNamingIt) {
  const std::string evil = "resources/configmaps/namespaces/x/../../../evil.json";
  std::vector<ArchiveEntry> entries;
  add_item(entries, "namespaces", namespace_item("x"));
  add_item(entries, "configmaps",
           config_map_item("x", "fine", "11111111-2222-4333-8444-555555555555"));
  entries.push_back({evil, config_map_item("x", "evil", "u").dump()});
  write_velero_backup("evil", entries);

  const CommandResult r = stillpoint({"restore", "create", "r9", "--from-backup", "evil"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const json restore = restore_object("r9");
  EXPECT_EQ(restore["status"]["phase"], "Failed");
  EXPECT_NE(restore["status"].value("failureReason", "").find(evil), std::string::npos)
      << restore.dump(2);
  EXPECT_TRUE(kget("", "namespace/x").is_null());
}

// An object the API server rejects (422: not a DNS subdomain) fails alone; the rest is
// restored and the restore is PartiallyFailed with the error under the item's namespace.
TEST_F(RestoreE2eTest, ObjectTheServerRejectsFailsAloneAndTheRestIsRestored) {
  std::vector<ArchiveEntry> entries;
  add_item(entries, "namespaces", namespace_item("x"));
  add_item(entries, "configmaps",
           config_map_item("x", "good", "11111111-2222-4333-8444-555555555555"));
  add_item(entries, "configmaps",
           config_map_item("x", "Bad_Name", "11111111-2222-4333-8444-666666666666"));
  write_velero_backup("mixed", entries);

  const CommandResult r = stillpoint({"restore", "create", "r10", "--from-backup", "mixed"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const json restore = restore_object("r10");
  EXPECT_EQ(restore["status"]["phase"], "PartiallyFailed");
  EXPECT_EQ(restore["status"]["progress"]["itemsFailed"], 1) << restore.dump(2);
  EXPECT_EQ(restore["status"]["progress"]["itemsRestored"], 2) << restore.dump(2);
  EXPECT_EQ(kget("x", "configmap/good")["data"]["k"], "v-good");
  const std::string text = describe("r10");
  const auto errors = text.find("Errors (");
  ASSERT_NE(errors, std::string::npos) << text;
  const auto under_ns = text.find("    x:\n", errors);
  ASSERT_NE(under_ns, std::string::npos) << text;
  EXPECT_NE(text.find("Bad_Name", under_ns), std::string::npos) << text;
}

// A spec init container mounting a volume the selected pod lacks: the restore warns first, with
// the plan's message naming the pod, the hook entry, the init container and the volume; the API
// server then refuses the pod, an error of that pod alone.
TEST_F(RestoreE2eTest, InitContainerMountingAVolumeThePodLacksIsWarnedAbout) {
  apply(ns_yaml("nv") +
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  namespace: nv\n"
        "  labels: {app: db}\nspec:\n  terminationGracePeriodSeconds: 1\n"
        "  containers:\n  - {name: app, image: debian}\n");  // no volume "data"
  wait_ready("nv", "db");
  backup("b11", "nv");
  delete_namespace("nv");

  const auto spec = write_spec("r11.yaml", restore_spec_yaml("r11", "b11", "nv"));
  const CommandResult r = stillpoint({"restore", "create", "--from-file", spec.string()});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const std::string text = describe("r11");
  const auto warnings = text.find("Warnings (");
  ASSERT_NE(warnings, std::string::npos) << text;
  EXPECT_NE(text.find("pod nv/db: hook problem: init container \"restore-marker\" of hook "
                      "\"mark-data\" (postHooks[0]) mounts volume \"data\", which pod nv/db "
                      "does not have",
                      warnings),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("volumeMounts[0].name: Not found"), std::string::npos) << text;
  EXPECT_EQ(restore_object("r11")["status"]["phase"], "PartiallyFailed");
}

}  // namespace
}  // namespace stillpoint::e2e
