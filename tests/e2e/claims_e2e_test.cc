// Claims and volumes in a restore next to the live original (issue 17, point 2): the backed-up
// PersistentVolume still exists, bound to the original claim, so the namespace-mapped copy's
// claim gets a volume of its own, with the backup's data, and the original is not touched. And
// when a restored claim can never bind (it names a volume held by another claim), the pod's
// restore-wait fails at once with the binder's reason instead of waiting out
// --hook-wait-timeout. kubesim keeps a pod whose claim names another claim's volume
// unscheduled, as a real cluster does.
#include <filesystem>

#include "e2e_fixture.h"

namespace stillpoint::e2e {
namespace {

using nlohmann::json;

// Namespace `ns`: a retained hostPath volume `pv` (directory `dir`) pre-bound to claim
// `ns/data`, the claim, and pod `app` mounting it at /data, whose volume data is backed up.
// Both are of class `standard`, kubesim's (and the realcluster tier's) default class, so a
// restored copy of the claim that loses its volumeName is provisioned a volume of its own, as
// on a real cluster (a claim of class "" without a volume would stay Pending for ever).
std::string app_yaml(const std::string& ns, const std::string& pv,
                     const std::filesystem::path& dir) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n---\n"
         "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: " + pv + "}\nspec:\n"
         "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
         "  persistentVolumeReclaimPolicy: Retain\n  storageClassName: standard\n"
         "  hostPath: {path: " + dir.string() + "}\n"
         "  claimRef: {namespace: " + ns + ", name: data}\n---\n"
         "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: " + ns +
         "}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: standard\n"
         "  resources: {requests: {storage: 1Gi}}\n  volumeName: " + pv + "\n---\n"
         "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: " + ns +
         "\n  annotations: {backup.velero.io/backup-volumes: data}\n"
         "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
         "    image: debian\n    command: ['/bin/sleep', 'infinity']\n"
         "    volumeMounts: [{name: data, mountPath: /data}]\n"
         "  volumes:\n  - name: data\n    persistentVolumeClaim: {claimName: data}\n";
}

class ClaimsE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    pv_dir_ = sim_.dir() / "pv-original";
    std::filesystem::create_directories(pv_dir_);
    apply(app_yaml("app1", "pv-claims-e2e", pv_dir_));
    wait_ready("app1", "app");
    write("app1", "backed-up");
    const CommandResult b = stillpoint({"backup", "create", "b1", "--include-namespaces", "app1"});
    ASSERT_EQ(b.exit_code, 0) << b.describe();
    // The live original moves on after the backup.
    write("app1", "live");
  }
  void write(const std::string& ns, const std::string& text) {
    const CommandResult r = sim_.kubectl(
        {"exec", "-n", ns, "app", "--", "sh", "-c", "printf %s '" + text + "' > /data/file"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  std::string read(const std::string& ns) {
    const CommandResult r = sim_.kubectl({"exec", "-n", ns, "app", "--", "cat", "/data/file"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return r.out;
  }
  json get(const std::vector<std::string>& what) {
    std::vector<std::string> args{"get"};
    args.insert(args.end(), what.begin(), what.end());
    args.insert(args.end(), {"-o", "json"});
    const CommandResult r = sim_.kubectl(args);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return json::parse(r.out, nullptr, false);
  }
  std::filesystem::path pv_dir_;
};

// The copy's claim gets a new volume (the PV is in use by app1/data), restore-wait fills it
// with the backup's data, and the original's volume keeps what it holds now.
TEST_F(ClaimsE2eTest, MappedRestoreNextToTheLiveOriginalGetsItsOwnVolume) {
  const CommandResult r = stillpoint({"restore", "create", "r1", "--from-backup", "b1",
                                      "--namespace-mappings", "app1:app2"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  wait_ready("app2", "app");
  EXPECT_EQ(read("app2"), "backed-up");
  EXPECT_EQ(read("app1"), "live");
  EXPECT_EQ(read_file(pv_dir_ / "file"), "live");

  const json claim = get({"pvc", "-n", "app2", "data"});
  // Restored without volumeName, then provisioned a volume of its own (as in the realcluster
  // tier's version of this test).
  EXPECT_EQ(claim["status"]["phase"], "Bound") << claim;
  EXPECT_NE(claim["spec"].value("volumeName", ""), "pv-claims-e2e") << claim;
  EXPECT_NE(claim["spec"].value("volumeName", ""), "") << claim;
  const json pv = get({"pv", "pv-claims-e2e"});
  EXPECT_EQ(pv["spec"]["claimRef"]["namespace"], "app1") << pv;
  const CommandResult d = stillpoint({"restore", "describe", "r1", "-o", "json"}, false);
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  const json described = json::parse(d.out, nullptr, false);
  EXPECT_EQ(described["status"]["phase"], "Completed") << d.out;
  EXPECT_EQ(described["status"].value("warnings", 0), 0) << d.out;
  const CommandResult logs = stillpoint({"restore", "logs", "r1"}, false);
  EXPECT_NE(logs.out.find("in use by claim app1/data; the restored claim app2/data gets a new "
                          "volume"),
            std::string::npos)
      << logs.out;
}

// Without the PV in the restore, the copy's claim still names the original's volume and can
// never bind: the restore fails that pod at once, naming the claim, the volume and its holder
// (the default --hook-wait-timeout is 10 minutes; the test's own limit is far shorter).
TEST_F(ClaimsE2eTest, ClaimThatCanNeverBindFailsItsPodAtOnce) {
  const CommandResult r =
      stillpoint({"restore", "create", "r2", "--from-backup", "b1", "--namespace-mappings",
                  "app1:app3", "--exclude-resources", "persistentvolumes"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const CommandResult d = stillpoint({"restore", "describe", "r2"}, false);
  EXPECT_NE(d.out.find("claim app3/data cannot bind: persistentvolume pv-claims-e2e is bound to "
                       "claim app1/data"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("pod has unbound immediate PersistentVolumeClaims"), std::string::npos)
      << d.out;
  EXPECT_EQ(read("app1"), "live");
}

}  // namespace
}  // namespace stillpoint::e2e
