// Real workloads and their volumes on the real Kubernetes 1.20 (issue 17): the StatefulSet,
// DaemonSet and Deployment scenario of tests/scenarios (the same code runs on kubesim in
// tests/e2e/workloads_e2e_test), and a namespace-mapped restore next to the live original
// whose dynamically provisioned, retained volume is still bound to the original's claim.
#include <unistd.h>

#include "realcluster_fixture.h"
#include "workloads_scenario.h"

namespace stillpoint::realcluster {
namespace {

using nlohmann::json;

class RealClusterWorkloadsTest : public RealClusterTest {
 protected:
  // This fixture seen as a ScenarioCluster.
  class Adapter : public scenarios::ScenarioCluster {
   public:
    explicit Adapter(RealClusterWorkloadsTest& t) : t_(t) {}
    CommandResult kubectl(const std::vector<std::string>& args,
                          const std::string& input,
                          std::chrono::seconds timeout) override {
      return t_.kubectl(args, input, timeout);
    }
    CommandResult stillpoint(std::vector<std::string> args, bool cluster) override {
      return t_.stillpoint(std::move(args), cluster);
    }
    std::string image() const override { return "busybox:1.36"; }
    std::string new_namespace() override { return t_.new_namespace(); }
    std::chrono::seconds start_limit() const override { return std::chrono::seconds(180); }

   private:
    RealClusterWorkloadsTest& t_;
  };
};

TEST_F(RealClusterWorkloadsTest, StatefulSetDaemonSetAndDeploymentComeBackUnderTheirControllers) {
  Adapter cluster(*this);
  scenarios::workloads_come_back_under_their_controllers(cluster);
}

// A claim provisioned by a StorageClass that retains its volumes, backed up with its pod's
// volume data. Restored with --namespace-mappings next to the live original: the volume is
// still bound to the original claim, so the copy's claim gets a new volume from the class,
// filled from the backup, and the original keeps what it holds now. Then the same restore
// without the volume (so the copy's claim names the original's volume): it cannot bind, and
// the restore says so at once instead of waiting out --hook-wait-timeout.
TEST_F(RealClusterWorkloadsTest, MappedRestoreNextToTheLiveOriginalGetsItsOwnVolume) {
  const std::string src = new_namespace();
  const std::string copy = new_namespace();
  const std::string stuck = new_namespace();
  const std::string label = "stillpoint-test=" + std::to_string(::getpid());
  const std::string klass = "retained-" + src;
  apply("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: " + klass +
        "\n  labels: {stillpoint-test: '" + std::to_string(::getpid()) + "'}\n"
        "provisioner: kubernetes.io/host-path\nreclaimPolicy: Retain\n---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + src + "}\n---\n"
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: " + src +
        "}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: " + klass + "\n"
        "  resources: {requests: {storage: 16Mi}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: " + src +
        "\n  annotations: {backup.velero.io/backup-volumes: data}\n"
        "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
        "    image: busybox:1.36\n    command: ['/bin/sh', '-c', 'exec sleep 100000']\n"
        "    volumeMounts: [{name: data, mountPath: /data}]\n"
        "  volumes:\n  - name: data\n    persistentVolumeClaim: {claimName: data}\n");
  wait_ready(src, "app");
  const std::string pv = get(src, "pvc/data")["spec"].value("volumeName", "");
  ASSERT_FALSE(pv.empty());
  exec(src, "app", "app", "printf backed-up > /data/file");
  const CommandResult b = stillpoint({"backup", "create", "m1", "--include-namespaces", src});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  exec(src, "app", "app", "printf live > /data/file");

  const CommandResult r = stillpoint({"restore", "create", "rm1", "--from-backup", "m1",
                                      "--namespace-mappings", src + ":" + copy});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << stillpoint({"restore", "logs", "rm1"}, false).out;
  wait_ready(copy, "app");
  EXPECT_EQ(exec(copy, "app", "app", "cat /data/file"), "backed-up");
  EXPECT_EQ(exec(src, "app", "app", "cat /data/file"), "live");
  const json claim = get(copy, "pvc/data");
  EXPECT_EQ(claim["status"]["phase"], "Bound") << claim.dump(2);
  EXPECT_NE(claim["spec"].value("volumeName", ""), pv) << claim.dump(2);
  EXPECT_EQ(get("", "pv/" + pv)["spec"]["claimRef"]["namespace"], src);
  const json restored = restore_object("rm1");
  EXPECT_EQ(restored["status"]["phase"], "Completed") << restored.dump(2);
  EXPECT_EQ(restored["status"].value("warnings", 0), 0) << restored.dump(2);

  const CommandResult s =
      stillpoint({"restore", "create", "rm2", "--from-backup", "m1", "--namespace-mappings",
                  src + ":" + stuck, "--exclude-resources", "persistentvolumes"});
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  const CommandResult d = stillpoint({"restore", "describe", "rm2"}, false);
  EXPECT_NE(d.out.find("claim " + stuck + "/data cannot bind: persistentvolume " + pv +
                       " is bound to claim " + src + "/data"),
            std::string::npos)
      << d.out;

  // Retained volumes outlive their namespaces: delete them and the class with the test.
  const std::string copy_pv = claim["spec"].value("volumeName", "");
  for (const std::string& ns : {src, copy, stuck}) delete_namespace(ns);
  kubectl({"delete", "pv", pv, copy_pv, "--ignore-not-found"});
  kubectl({"delete", "storageclass", klass, "--ignore-not-found"});
}

}  // namespace
}  // namespace stillpoint::realcluster
