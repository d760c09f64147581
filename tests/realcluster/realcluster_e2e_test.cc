// The backup, restore and volume-data scenarios of tests/e2e, run through the stillpoint
// binary against a real Kubernetes 1.20 (API server, kubelet, containerd and runc from
// Debian's packages; tests/realcluster/start): hooks execute in real containers over the
// real exec API, pods are scheduled and started by the real kubelet, and stillpoint's
// restore-wait init container runs the busybox image made from busybox-static.
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "realcluster_fixture.h"

namespace stillpoint::realcluster {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// The images tests/realcluster/images/make-images builds and start imports.
constexpr const char* kBusybox = "busybox:1.36";
constexpr const char* kPostgres = "postgres:15-debian";

std::string ns_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n---\n";
}

// A pod idling in container "app" (busybox), the host's marker directory at /markers, an
// emptyDir at /data, the given labels and annotation lines (indented by 4).
std::string pod_yaml(const std::string& ns, const std::string& name,
                     const std::string& annotations, const std::filesystem::path& markers,
                     const std::string& app_command = "exec sleep 100000") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels: {app: " + name + "}\n  annotations:\n" +
         (annotations.empty() ? "    {}\n" : annotations) +
         "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
         "    image: " + kBusybox + "\n    command: ['/bin/sh', '-c', '" + app_command + "']\n"
         "    volumeMounts:\n    - {name: markers, mountPath: /markers}\n"
         "    - {name: data, mountPath: /data}\n"
         "  volumes:\n  - name: markers\n    hostPath: {path: " + markers.string() +
         ", type: Directory}\n  - name: data\n    emptyDir: {}\n---\n";
}

std::string backup_hooks(const std::string& pre, const std::string& post,
                         const std::string& extra = "") {
  return "    pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"" + pre + "\"]'\n" +
         "    post.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"" + post + "\"]'\n" +
         extra;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class RealClusterE2eTest : public RealClusterTest {};

// Annotation hooks on one pod and spec hooks (from a Backup's spec.hooks) on another both
// run in their containers around the items, in order; Velero's layout is written.
TEST_F(RealClusterE2eTest, AnnotationAndSpecHooksRunAroundTheItems) {
  const std::string ns = new_namespace();
  apply(ns_yaml(ns) +
        pod_yaml(ns, "db",
                 backup_hooks("echo pre-annotation >> /markers/db", "echo post-annotation >> /markers/db"),
                 markers_) +
        pod_yaml(ns, "web", "", markers_) +
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " + ns +
        "}\ndata: {a: b}\n");
  wait_ready(ns, "db");
  wait_ready(ns, "web");
  const auto spec = write_file(
      "b1.yaml",
      "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b1}\nspec:\n"
      "  includedNamespaces: [" + ns + "]\n  hooks:\n    resources:\n"
      "    - name: web-hooks\n      includedNamespaces: [" + ns + "]\n"
      "      labelSelector: {matchLabels: {app: web}}\n"
      "      pre:\n      - exec: {container: app, command: [/bin/sh, -c, 'echo pre-spec $(hostname) >> /markers/web'], onError: Fail, timeout: 30s}\n"
      "      post:\n      - exec: {container: app, command: [/bin/sh, -c, 'echo post-spec >> /markers/web']}\n");

  const CommandResult r = stillpoint({"backup", "create", "--from-file", spec.string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(read_file(markers_ / "db"), "pre-annotation\npost-annotation\n");
  // $(hostname) ran inside the pod: a real container's hostname is its pod's name.
  EXPECT_EQ(read_file(markers_ / "web"), "pre-spec web\npost-spec\n");

  const auto entries = tarball_entries("b1");
  EXPECT_TRUE(contains(entries, "resources/pods/namespaces/" + ns + "/db.json"));
  EXPECT_TRUE(contains(entries, "resources/pods/namespaces/" + ns + "/web.json"));
  EXPECT_TRUE(contains(entries, "resources/configmaps/namespaces/" + ns + "/settings.json"));
  EXPECT_TRUE(contains(entries, "resources/namespaces/cluster/" + ns + ".json"));
  const json b = backup_object("b1");
  EXPECT_EQ(b["status"]["phase"], "Completed") << b.dump(2);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 4);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksFailed"], 0);
  int from_spec = 0;
  for (const auto& h : b["status"]["hookResults"]) {
    EXPECT_EQ(h["result"], "Succeeded") << h.dump();
    from_spec += h["source"] == "spec" ? 1 : 0;
  }
  EXPECT_EQ(from_spec, 2) << b.dump(2);
}

// A Fail-mode pre hook that fails keeps its pod out of the backup, and its post hook still
// runs (the application is not left frozen); a Continue-mode failure keeps the pod in.
TEST_F(RealClusterE2eTest, FailingPreHookKeepsThePodOutButItsPostHookRuns) {
  const std::string ns = new_namespace();
  apply(ns_yaml(ns) +
        pod_yaml(ns, "frozen", backup_hooks("echo pre >> /markers/f; exit 3", "echo post >> /markers/f"),
                 markers_) +
        pod_yaml(ns, "tolerant",
                 backup_hooks("exit 4", "true", "    pre.hook.backup.velero.io/on-error: Continue\n"),
                 markers_));
  wait_ready(ns, "frozen");
  wait_ready(ns, "tolerant");
  const CommandResult r = stillpoint({"backup", "create", "b2", "--include-namespaces", ns});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(read_file(markers_ / "f"), "pre\npost\n");
  const auto entries = tarball_entries("b2");
  EXPECT_FALSE(contains(entries, "resources/pods/namespaces/" + ns + "/frozen.json"));
  EXPECT_TRUE(contains(entries, "resources/pods/namespaces/" + ns + "/tolerant.json"));
  const json b = backup_object("b2");
  EXPECT_EQ(b["status"]["phase"], "PartiallyFailed");
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 4);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksFailed"], 2);
  bool saw_exit_3 = false;
  for (const auto& h : b["status"]["hookResults"]) {
    if (h["pod"] == "frozen" && h["phase"] == "pre") {
      EXPECT_EQ(h["result"], "Failed");
      // The exit code comes from the real exec API's Status message on channel 3.
      EXPECT_EQ(h["exitCode"], 3) << h.dump();
      saw_exit_3 = true;
    }
  }
  EXPECT_TRUE(saw_exit_3) << b.dump(2);
}

// A hook of any common shape that outlives its timeout fails at the timeout, and its
// processes in the container are gone afterwards, whatever their argv became: containerd
// keeps an exec'd process running after its stream closes, so this is stillpoint's stop exec
// finding the hook's process as the one exec'd (PPid 0) when the hook started. The image is
// busybox, which has no bash: busybox `sh -c 'sleep N'` execs its only command just as bash
// does, so it stands in for `bash -c`. One pod per shape, all in one backup.
TEST_F(RealClusterE2eTest, HookPastItsTimeoutIsKilled) {
  struct Shape {
    std::string pod;
    std::string command;  // JSON
    std::string stopped;  // the end of the hook's error
  };
  const std::vector<Shape> shapes = {
      {"shape-exec", R"(["/bin/sh", "-c", "exec sleep 311"])", "(1 process)"},
      {"shape-sh", R"(["/bin/sh", "-c", "sleep 312"])", "(1 process)"},
      {"shape-bare", R"(["sleep", "313"])", "(1 process)"},
      // The shell, both sleeps.
      {"shape-background", R"(["/bin/sh", "-c", "sleep 314 & sleep 315; wait"])",
       "(3 processes)"},
  };
  const std::string ns = new_namespace();
  std::string yaml = ns_yaml(ns);
  for (const Shape& s : shapes) {
    yaml += pod_yaml(ns, s.pod,
                     "    pre.hook.backup.velero.io/command: '" + s.command + "'\n" +
                         "    pre.hook.backup.velero.io/timeout: 3s\n" +
                         "    post.hook.backup.velero.io/command: '[\"true\"]'\n",
                     markers_);
  }
  apply(yaml);
  for (const Shape& s : shapes) {
    wait_ready(ns, s.pod);
  }
  const auto started = SteadyClock::now();
  const CommandResult r = stillpoint({"backup", "create", "b3", "--include-namespaces", ns});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(60));
  const json b = backup_object("b3");
  EXPECT_EQ(b["status"]["phase"], "PartiallyFailed");
  for (const Shape& s : shapes) {
    SCOPED_TRACE(s.pod);
    std::map<std::string, json> hooks;  // by phase
    for (const auto& h : b["status"]["hookResults"]) {
      if (h["pod"] == s.pod) {
        hooks[h["phase"].get<std::string>()] = h;
      }
    }
    EXPECT_EQ(hooks["pre"]["error"], "timed out after 3s; its command was stopped " + s.stopped)
        << b.dump(2);
    EXPECT_EQ(hooks["post"]["result"], "Succeeded") << b.dump(2);
    // Only the app (PID 1, `sleep 100000`) and this `ps` are left in the container. The stop
    // waits for the processes to end; the deadline only absorbs kubectl's latency.
    std::string ps;
    bool gone = false;
    for (const auto deadline = SteadyClock::now() + std::chrono::seconds(20);
         !gone && SteadyClock::now() < deadline;) {
      ps = exec(ns, s.pod, "app", "ps -o pid,args");
      gone = ps.find("sleep 31") == std::string::npos;
      if (!gone)
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    EXPECT_TRUE(gone) << "the timed-out hook's command still runs in the container:\n" << ps;
  }
}

// Restore of a deleted namespace: objects, a claim bound to a retained hostPath volume, the
// spec's init container (run by the real kubelet before the app) and the annotation's exec
// hook once the app is up.
TEST_F(RealClusterE2eTest, DeletedNamespaceComesBackWithInitAndExecHooks) {
  const std::string ns = new_namespace();
  const std::string pv = "pv-" + ns;
  const auto pv_dir = dir_.path() / "pv";
  std::filesystem::create_directories(pv_dir);
  apply(ns_yaml(ns) +
        pod_yaml(ns, "db",
                 "    post.hook.restore.velero.io/container: app\n"
                 "    post.hook.restore.velero.io/command: "
                 "'[\"/bin/sh\", \"-c\", \"echo hook-saw-$(cat /data/MARKER)\"]'\n",
                 markers_,
                 "if [ -f /data/MARKER ]; then cp /data/MARKER /data/SEEN-BY-APP; fi; "
                 "exec sleep 100000") +
        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: " + ns +
        "}\ntype: Opaque\ndata: {password: c2VjcmV0}\n---\n"
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: " + pv +
        "\n  labels: {stillpoint-test: '" + std::to_string(::getpid()) + "'}\nspec:\n"
        "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
        "  persistentVolumeReclaimPolicy: Retain\n  storageClassName: manual\n"
        "  hostPath: {path: " + pv_dir.string() + "}\n---\n"
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: claim, namespace: " + ns +
        "}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: manual\n"
        "  resources: {requests: {storage: 1Gi}}\n  volumeName: " + pv + "\n");
  wait_ready(ns, "db");
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return get(ns, "pvc/claim")["status"]["phase"] == "Bound"; },
      std::chrono::seconds(60)))
      << get(ns, "pvc/claim").dump(2);

  const CommandResult b = stillpoint({"backup", "create", "b4", "--include-namespaces", ns,
                                      "--include-cluster-resources=true"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_TRUE(contains(tarball_entries("b4"), "resources/persistentvolumes/cluster/" + pv + ".json"));
  delete_namespace(ns);
  ASSERT_EQ(kubectl({"delete", "pv", pv}).exit_code, 0);

  const auto spec = write_file(
      "r4.yaml",
      "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: r4}\nspec:\n  backupName: b4\n"
      "  hooks:\n    resources:\n    - name: mark-data\n      includedNamespaces: [" + ns + "]\n"
      "      labelSelector: {matchLabels: {app: db}}\n      postHooks:\n"
      "      - init:\n          initContainers:\n          - name: restore-marker\n"
      "            image: " + std::string(kBusybox) + "\n"
      "            command: ['/bin/sh', '-c', 'echo marker-7f3a > /data/MARKER']\n"
      "            volumeMounts:\n            - {name: data, mountPath: /data}\n");
  const CommandResult r = stillpoint({"restore", "create", "--from-file", spec.string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe()
                            << stillpoint({"restore", "logs", "r4"}, false).describe();

  EXPECT_EQ(get(ns, "secret/creds")["data"]["password"], "c2VjcmV0");
  const json pod = get(ns, "pod/db");
  ASSERT_FALSE(pod.is_null());
  ASSERT_EQ(pod["spec"]["initContainers"].size(), 1u) << pod.dump(2);
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], "restore-marker");
  wait_ready(ns, "db");
  EXPECT_EQ(exec(ns, "db", "app", "cat /data/SEEN-BY-APP"), "marker-7f3a\n");
  // The real controller-manager binds the restored claim to the restored volume again.
  EXPECT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return get(ns, "pvc/claim")["status"]["phase"] == "Bound"; },
      std::chrono::seconds(60)))
      << get(ns, "pvc/claim").dump(2) << get("", "pv/" + pv).dump(2);

  const CommandResult logs = stillpoint({"restore", "logs", "r4"}, false);
  EXPECT_NE(logs.out.find("hook-saw-marker-7f3a"), std::string::npos) << logs.describe();
  const json restore = restore_object("r4");
  EXPECT_EQ(restore["status"]["phase"], "Completed") << restore.dump(2);
  EXPECT_EQ(restore["status"]["hookStatus"]["hooksAttempted"], 1) << restore.dump(2);
  EXPECT_EQ(restore["status"]["hookStatus"]["hooksFailed"], 0) << restore.dump(2);
  EXPECT_EQ(restore["status"]["progress"]["itemsFailed"], 0) << restore.dump(2);
}

// Pod volume data: copied with tar over exec between the hooks, put back by restore-wait
// (the busybox image, stillpoint's default --restore-helper-image) before the app starts.
TEST_F(RealClusterE2eTest, VolumeDataRoundTripsAndIsThereBeforeTheAppStarts) {
  const std::string ns = new_namespace();
  const char* fill =
      "mkdir -p /data/sub && head -c 3000000 /dev/urandom > /data/blob && "
      "echo nested > /data/sub/file && : > /data/empty";
  const char* fingerprint = "cd /data && find . -type f | sort | xargs sha256sum && find . | sort";
  apply(ns_yaml(ns) +
        pod_yaml(ns, "app",
                 "    backup.velero.io/backup-volumes: data\n" +
                     backup_hooks(fill, "echo post >> /markers/vol"),
                 markers_,
                 "if [ -f /data/blob ]; then echo yes > /tmp/had-data; fi; exec sleep 100000"));
  wait_ready(ns, "app");
  const CommandResult b = stillpoint({"backup", "create", "b5", "--include-namespaces", ns});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  const std::string before = exec(ns, "app", "app", fingerprint);
  EXPECT_NE(before.find("./sub/file"), std::string::npos) << before;
  EXPECT_EQ(read_file(markers_ / "vol"), "post\n");
  const json object = backup_object("b5");
  EXPECT_EQ(object["status"]["phase"], "Completed") << object.dump(2);
  EXPECT_EQ(object["status"]["podVolumeBackups"]["completed"], 1) << object.dump(2);

  delete_namespace(ns);
  const CommandResult r = stillpoint({"restore", "create", "r5", "--from-backup", "b5"});
  ASSERT_EQ(r.exit_code, 0) << r.describe()
                            << stillpoint({"restore", "logs", "r5"}, false).describe();
  const json pod = get(ns, "pod/app");
  ASSERT_FALSE(pod.is_null());
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], "restore-wait") << pod.dump(2);
  wait_ready(ns, "app");
  EXPECT_EQ(exec(ns, "app", "app", fingerprint), before);
  EXPECT_EQ(exec(ns, "app", "app", "cat /tmp/had-data"), "yes\n");
  EXPECT_EQ(exec(ns, "app", "app", "ls -A /data | sort | tr '\\n' ' '"), "blob empty sub ");
  const CommandResult rd = stillpoint({"restore", "describe", "r5"}, false);
  EXPECT_NE(rd.out.find("Pod volumes:  1 of 1 restored"), std::string::npos) << rd.out;
}

// The demo's PostgreSQL scenario (examples/demo/postgres.yaml, its Velero annotations
// unchanged) on the PostgreSQL 15 image built from Debian's packages: pg_dump in a pre hook
// into the `scratch` volume, the volume copied, the namespace deleted and restored, the dump
// loaded by the restore exec hook once PostgreSQL is ready; the rows read back are the rows
// written.
TEST_F(RealClusterE2eTest, PostgresDumpInScratchVolumeRestoresTheRows) {
  const std::string ns = new_namespace();
  std::string manifest = read_file(STILLPOINT_SOURCE_DIR "/examples/demo/postgres.yaml");
  ASSERT_NE(manifest.find("@POSTGRES_UID@"), std::string::npos);
  // The image's postgres user is 999:999 (make-images); the namespace is this test's own.
  manifest = replace_all(manifest, "@POSTGRES_UID@", "999");
  manifest = replace_all(manifest, "@POSTGRES_GID@", "999");
  manifest = replace_all(manifest, "image: postgres:15", std::string("image: ") + kPostgres);
  manifest = replace_all(manifest, "namespace: pg\n", "namespace: " + ns + "\n");
  manifest = replace_all(manifest, "kind: Namespace\nmetadata:\n  name: pg\n",
                         "kind: Namespace\nmetadata:\n  name: " + ns + "\n");
  ASSERT_EQ(manifest.find(" pg\n"), std::string::npos) << manifest;
  apply(manifest);
  wait_ready(ns, "postgres");
  const auto sql = [&](const std::string& statements, const std::string& db = "app") {
    const CommandResult r = kubectl({"exec", "-n", ns, "postgres", "-c", "db", "--", "psql", "-h",
                                     "/tmp", "-U", "postgres", "-d", db, "-tA", "-q", "-v",
                                     "ON_ERROR_STOP=1", "-c", statements});
    EXPECT_EQ(r.exit_code, 0) << statements << "\n" << r.describe();
    return r.out;
  };
  sql("create database app", "postgres");
  sql("create table items(id int primary key, name text not null);"
      "insert into items select g, 'item-' || g from generate_series(1, 1000) g");
  const std::string query = "select md5(string_agg(id || ':' || name, ',' order by id)) from items";
  const std::string expected = sql(query);
  ASSERT_EQ(expected.size(), 33u) << expected;

  const CommandResult b = stillpoint({"backup", "create", "pg", "--include-namespaces", ns});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  const json object = backup_object("pg");
  EXPECT_EQ(object["status"]["phase"], "Completed") << object.dump(2);
  EXPECT_EQ(object["status"]["hookStatus"]["hooksAttempted"], 2) << object.dump(2);
  EXPECT_EQ(object["status"]["podVolumeBackups"]["completed"], 1) << object.dump(2);
  const CommandResult blogs = stillpoint({"backup", "logs", "pg"}, false);
  EXPECT_NE(blogs.out.find("dumped"), std::string::npos) << blogs.describe();

  delete_namespace(ns);
  const CommandResult r = stillpoint({"restore", "create", "pg-restore", "--from-backup", "pg"});
  const CommandResult rlogs = stillpoint({"restore", "logs", "pg-restore"}, false);
  ASSERT_EQ(r.exit_code, 0) << r.describe() << rlogs.describe();
  EXPECT_NE(rlogs.out.find("loaded the dump"), std::string::npos) << rlogs.out;
  const json restore = restore_object("pg-restore");
  EXPECT_EQ(restore["status"]["phase"], "Completed") << restore.dump(2);
  EXPECT_EQ(restore["status"]["hookStatus"]["hooksFailed"], 0) << restore.dump(2);
  EXPECT_EQ(sql("select count(*) from items"), "1000\n");
  EXPECT_EQ(sql(query), expected);
}

// The API server validates volume mounts at create; kubesim answers the same
// (Kubectl.PodMountingAMissingVolumeIsRejectedAtCreate in tools/kubesim/tests).
TEST_F(RealClusterE2eTest, PodMountingAMissingVolumeIsRejectedAtCreate) {
  const std::string ns = new_namespace();
  apply(ns_yaml(ns));
  // The ServiceAccount admission plugin answers first while the namespace has no account yet.
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return !get(ns, "serviceaccount/default").is_null(); }, std::chrono::seconds(30)));
  const CommandResult r = kubectl(
      {"apply", "-f", "-"},
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: " + ns + "}\nspec:\n"
      "  volumes: [{name: data, emptyDir: {}}]\n"
      "  initContainers: [{name: init, image: busybox, volumeMounts: [{name: data, mountPath: /d}]}]\n"
      "  containers: [{name: app, image: busybox, volumeMounts: [{name: data, mountPath: /d},\n"
      "    {name: default-token-hnm7h, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]}]\n");
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("spec.containers[0].volumeMounts[1].name: Not found: \"default-token-hnm7h\""),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace stillpoint::realcluster
