// Pod volume data end to end (issue 7): volumes named in backup.velero.io/backup-volumes are
// copied between the pod's pre and post hooks by streaming tar over exec into the backup
// location, and restored through the injected restore-wait init container before the pod's
// own containers start. Then every way it can go wrong: a volume the pod lacks, a container
// without tar, stored data that was corrupted or truncated, and a backup location that fills
// up mid-copy.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "e2e_fixture.h"

namespace stillpoint::e2e {
namespace {

using nlohmann::json;

std::string ns_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n---\n";
}

// Pod "app" with an emptyDir `data` at /data. Its pre hook fills the volume (`fill`); its post
// hook leaves a mark in the hostPath /markers. At start the container notes whether the data
// was already there (restore-wait must have delivered it before the app runs).
std::string app_pod_yaml(const std::string& ns, const std::string& fill,
                         const std::string& markers, const std::string& volumes = "data",
                         const std::string& extra_env = "") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: " + ns +
         "\n  annotations:\n"
         "    backup.velero.io/backup-volumes: '" + volumes + "'\n"
         "    pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"" + fill + "\"]'\n"
         "    post.hook.backup.velero.io/command: "
         "'[\"/bin/sh\", \"-c\", \"echo post >> /markers/" + ns + "\"]'\n"
         "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
         "    image: debian\n" + extra_env +
         "    command: ['/bin/sh', '-c', 'if [ -f /data/blob ]; then echo yes > /tmp/had-data; "
         "fi; exec /bin/sleep infinity']\n"
         "    volumeMounts:\n    - {name: data, mountPath: /data}\n"
         "    - {name: markers, mountPath: /markers}\n"
         "  volumes:\n  - name: data\n    emptyDir: {}\n"
         "  - name: markers\n    hostPath: {path: " + markers + "}\n";
}

// 3 MB of random bytes, a nested file and an empty one.
constexpr const char* kFill =
    "mkdir -p /data/sub && head -c 3000000 /dev/urandom > /data/blob && "
    "echo nested > /data/sub/file && : > /data/empty";

// A content fingerprint of /data: names, sizes and checksums of every file.
constexpr const char* kFingerprint =
    "cd /data && find . -type f | sort | xargs sha256sum && find . | sort";

class VolumeE2eTest : public E2eTest {
 protected:
  std::string exec(const std::string& ns, const std::string& container,
                   const std::string& script) {
    const CommandResult r =
        sim_.kubectl({"exec", "-n", ns, "app", "-c", container, "--", "sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return r.out;
  }
  std::filesystem::path data_key(const std::string& backup, const std::string& ns) {
    return storage_ / "backups" / backup / "volumes" / ns / "app" / "data.tar.zst";
  }
};

TEST_F(VolumeE2eTest, DataRoundTripsAndIsThereBeforeTheAppStarts) {
  apply(ns_yaml("vol") + app_pod_yaml("vol", kFill, markers_.string(), "data, missing"));
  wait_ready("vol", "app");

  const CommandResult b = stillpoint({"backup", "create", "b1", "--include-namespaces", "vol"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  const std::string before = exec("vol", "app", kFingerprint);
  EXPECT_NE(before.find("./sub/file"), std::string::npos) << before;
  EXPECT_EQ(read_file(markers_ / "vol"), "post\n");

  const json object = backup_object("b1");
  EXPECT_EQ(object["status"]["phase"], "Completed");
  EXPECT_EQ(object["status"]["podVolumeBackups"]["completed"], 1);
  EXPECT_EQ(object["status"]["warnings"], 1);  // "missing" is not a volume of the pod
  ASSERT_TRUE(std::filesystem::exists(data_key("b1", "vol")));
  // Compressed, and random data does not compress: about the size of the data.
  EXPECT_GT(std::filesystem::file_size(data_key("b1", "vol")), 3000000u);

  const CommandResult d = stillpoint({"backup", "describe", "b1", "--details"}, false);
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  EXPECT_NE(d.out.find("Pod volumes:  1 of 1 backed up"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("vol/app  data"), std::string::npos) << d.out;
  const CommandResult logs = stillpoint({"backup", "logs", "b1"}, false);
  EXPECT_NE(logs.out.find("volume \\\"missing\\\" named in backup.velero.io/backup-volumes does "
                          "not exist in the pod"),
            std::string::npos)
      << logs.out;

  ASSERT_EQ(sim_.kubectl({"delete", "namespace", "vol", "--wait=true"}).exit_code, 0);
  const CommandResult r = stillpoint({"restore", "create", "r1", "--from-backup", "b1"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  wait_ready("vol", "app");
  EXPECT_EQ(exec("vol", "app", kFingerprint), before);
  EXPECT_EQ(exec("vol", "app", "cat /tmp/had-data"), "yes\n");
  // The marker that released restore-wait is gone from the data.
  EXPECT_EQ(exec("vol", "app", "ls -A /data | sort | tr '\\n' ' '"), "blob empty sub ");
  const CommandResult rd = stillpoint({"restore", "describe", "r1"}, false);
  EXPECT_NE(rd.out.find("Pod volumes:  1 of 1 restored"), std::string::npos) << rd.out;
}

// A server that speaks only v4.channel.k8s.io (every Kubernetes before 1.30) cannot close an
// exec's stdin; the restore's `head -c SIZE | tar -x` ends tar's input without it. The same
// round trip runs on a real 1.20 cluster (RealClusterE2eTest.VolumeDataRoundTrips...).
TEST_F(VolumeE2eTest, DataRoundTripsOnAServerThatSpeaksOnlyExecV4) {
  apply(ns_yaml("old") + app_pod_yaml("old", kFill, markers_.string()));
  wait_ready("old", "app");
  const CommandResult b = stillpoint({"backup", "create", "b4", "--include-namespaces", "old"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  const std::string before = exec("old", "app", kFingerprint);
  ASSERT_EQ(sim_.kubectl({"delete", "namespace", "old", "--wait=true"}).exit_code, 0);
  // Only stillpoint's own exec sessions see the old server (kubectl would fall back to SPDY,
  // which kubesim does not serve).
  sim_.server().set_exec_protocols(kubesim::ExecProtocols::V4Only);
  const CommandResult r = stillpoint({"restore", "create", "r4", "--from-backup", "b4"});
  sim_.server().set_exec_protocols(kubesim::ExecProtocols::V5AndV4);
  ASSERT_EQ(r.exit_code, 0) << r.describe() << stillpoint({"restore", "logs", "r4"}, false).describe();
  wait_ready("old", "app");
  EXPECT_EQ(exec("old", "app", kFingerprint), before);
  EXPECT_EQ(exec("old", "app", "cat /tmp/had-data"), "yes\n");
}

// Opt-out: --default-volumes-to-fs-backup copies every eligible volume (here the emptyDir, not
// the hostPath), minus those the pod excludes.
TEST_F(VolumeE2eTest, DefaultVolumesToFsBackupCopiesEligibleVolumes) {
  apply(ns_yaml("optout") + app_pod_yaml("optout", kFill, markers_.string(), ""));
  wait_ready("optout", "app");
  const CommandResult b = stillpoint({"backup", "create", "b5", "--include-namespaces", "optout",
                                      "--default-volumes-to-fs-backup"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_EQ(backup_object("b5")["spec"]["defaultVolumesToFsBackup"], true);
  EXPECT_EQ(backup_object("b5")["status"]["podVolumeBackups"]["completed"], 1);
  EXPECT_TRUE(std::filesystem::exists(data_key("b5", "optout")));
  EXPECT_FALSE(std::filesystem::exists(storage_ / "backups" / "b5" / "volumes" / "optout" /
                                       "app" / "markers.tar.zst"));

  ASSERT_EQ(sim_.kubectl({"annotate", "pod", "-n", "optout", "app",
                          "backup.velero.io/backup-volumes-excludes=data"})
                .exit_code,
            0);
  const CommandResult none = stillpoint({"backup", "create", "b6", "--include-namespaces",
                                         "optout", "--default-volumes-to-fs-backup"});
  ASSERT_EQ(none.exit_code, 0) << none.describe();
  EXPECT_FALSE(backup_object("b6")["status"].contains("podVolumeBackups"));
}

// The common securityContext: the pod runs as an unprivileged user with an fsGroup, so
// restore-wait (and its tar) does too, in a volume root owned by root:fsGroup.
TEST_F(VolumeE2eTest, PodLevelRunAsUserRestoresItsData) {
  std::string yaml = app_pod_yaml("nobody", kFill, markers_.string());
  const std::string spec = "spec:\n";
  yaml.replace(yaml.find(spec), spec.size(),
               "spec:\n  securityContext: {runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534}\n");
  apply(ns_yaml("nobody") + yaml);
  wait_ready("nobody", "app");
  ASSERT_EQ(stillpoint({"backup", "create", "b7", "--include-namespaces", "nobody"}).exit_code, 0);
  const std::string before = exec("nobody", "app", kFingerprint);
  ASSERT_EQ(sim_.kubectl({"delete", "namespace", "nobody", "--wait=true"}).exit_code, 0);
  const CommandResult r = stillpoint({"restore", "create", "r7", "--from-backup", "b7"});
  ASSERT_EQ(r.exit_code, 0) << r.describe()
                            << stillpoint({"restore", "describe", "r7"}, false).out;
  wait_ready("nobody", "app");
  EXPECT_EQ(exec("nobody", "app", kFingerprint), before);
  EXPECT_EQ(exec("nobody", "app", "id -u"), "65534\n");
  // restore-wait ran as root, so the files keep their owner.
  EXPECT_EQ(exec("nobody", "app", "stat -c %u /data/blob"), "65534\n");
}

TEST_F(VolumeE2eTest, ContainerWithoutTarFailsThatVolumeOnly) {
  // PATH leads nowhere: exec cannot find tar, as in a distroless image.
  apply(ns_yaml("notar") +
        app_pod_yaml("notar", "echo x > /data/blob", markers_.string(), "data",
                     "    env: [{name: PATH, value: /nonexistent}]\n"));
  wait_ready("notar", "app");
  const CommandResult b = stillpoint({"backup", "create", "b2", "--include-namespaces", "notar"});
  EXPECT_EQ(b.exit_code, 1) << b.describe();
  const json object = backup_object("b2");
  EXPECT_EQ(object["status"]["phase"], "PartiallyFailed");
  EXPECT_EQ(object["status"]["podVolumeBackups"]["failed"], 1);
  EXPECT_EQ(read_file(markers_ / "notar"), "post\n");  // the post hook still ran
  const CommandResult d = stillpoint({"backup", "describe", "b2", "--details"}, false);
  EXPECT_NE(d.out.find("container \"app\" has no tar executable"), std::string::npos) << d.out;
  EXPECT_FALSE(std::filesystem::exists(data_key("b2", "notar")));
}

TEST_F(VolumeE2eTest, DamagedDataHoldsThePodAndFailsItsRestore) {
  apply(ns_yaml("src") + app_pod_yaml("src", kFill, markers_.string()));
  wait_ready("src", "app");
  ASSERT_EQ(stillpoint({"backup", "create", "b3", "--include-namespaces", "src"}).exit_code, 0);
  const auto key = data_key("b3", "src");
  const std::string good = read_file(key);

  struct Case {
    std::string target;
    std::string stored;
    std::string expect;
  };
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x20;
  // The backup's checksums object names the stored object as damaged, whatever zstd or the
  // manifest's digest would have said (they still do for backups without one).
  const std::string damaged = "backups/b3/volumes/src/app/data.tar.zst in " +
                              storage_.string() + " is damaged";
  const std::vector<Case> cases = {
      {"corrupt", flipped, damaged},
      {"truncated", good.substr(0, good.size() / 2), damaged},
  };
  for (const Case& c : cases) {
    { std::ofstream(key, std::ios::binary | std::ios::trunc) << c.stored; }
    const CommandResult r =
        stillpoint({"restore", "create", "r-" + c.target, "--from-backup", "b3",
                    "--namespace-mappings", "src:" + c.target});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    const CommandResult d = stillpoint({"restore", "describe", "r-" + c.target}, false);
    EXPECT_NE(d.out.find("Phase:        PartiallyFailed"), std::string::npos) << d.out;
    EXPECT_NE(d.out.find("pod " + c.target + "/app: volume \"data\""), std::string::npos)
        << d.out;
    EXPECT_NE(d.out.find("held in its restore-wait init container"), std::string::npos) << d.out;
    EXPECT_NE(d.out.find(c.expect), std::string::npos) << d.out;
    // Held: restore-wait still runs, the app container never started.
    const CommandResult pod = sim_.kubectl({"get", "pod", "-n", c.target, "app", "-o", "json"});
    ASSERT_EQ(pod.exit_code, 0) << pod.describe();
    const json p = json::parse(pod.out);
    EXPECT_EQ(p["status"]["phase"], "Pending");
    EXPECT_TRUE(p["status"]["initContainerStatuses"][0]["state"].contains("running")) << p;
  }
}

TEST_F(VolumeE2eTest, FullBackupLocationFailsTheBackupAndPublishesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  const auto small = sim_.dir() / "small-location";
  std::filesystem::create_directories(small);
  ASSERT_EQ(::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=1m"), 0) << std::strerror(errno);
  struct Unmount {
    std::filesystem::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{small};
  storage_ = small;

  apply(ns_yaml("full") + app_pod_yaml("full", kFill, markers_.string()));
  wait_ready("full", "app");
  const CommandResult b = stillpoint({"backup", "create", "b4", "--include-namespaces", "full"});
  EXPECT_EQ(b.exit_code, 1) << b.describe();
  EXPECT_NE(b.err.find("failed while writing pod volume data"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("not published"), std::string::npos) << b.err;
  EXPECT_EQ(read_file(markers_ / "full"), "post\n");  // the app was not left quiesced
  EXPECT_FALSE(std::filesystem::exists(small / "backups" / "b4" / "velero-backup.json"));
  const CommandResult get = stillpoint({"backup", "get", "-o", "json"}, false);
  ASSERT_EQ(get.exit_code, 0) << get.describe();
  EXPECT_TRUE(json::parse(get.out)["items"].empty()) << get.out;
}

}  // namespace
}  // namespace stillpoint::e2e
