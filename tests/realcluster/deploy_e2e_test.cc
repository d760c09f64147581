// deploy/ on the real Kubernetes 1.20: the CRDs are accepted (1.20 checks that the schemas
// are structural and prunes by them), a Velero Backup with hooks keeps every spec field and
// prints its columns; the RBAC manifests grant the service account what the server needs and
// refuse what it must not have; the image scripts/build-image makes runs as a pod.
#include <unistd.h>

#include "realcluster_fixture.h"

namespace stillpoint::realcluster {
namespace {

using nlohmann::json;

const std::string kSource = STILLPOINT_SOURCE_DIR;
const std::string kServiceAccount = "system:serviceaccount:stillpoint:stillpoint";

json without_nulls(json value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_null()) {
        it = value.erase(it);
      } else {
        *it = without_nulls(*it);
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& element : value)
      element = without_nulls(element);
  }
  return value;
}

class RealClusterDeployTest : public RealClusterTest {
 protected:
  void apply_crds() {
    const CommandResult a = kubectl({"apply", "-f", kSource + "/deploy/crds"});
    ASSERT_EQ(a.exit_code, 0) << a.describe();
    const CommandResult w = kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                                     "crd/backups.stillpoint.io", "crd/restores.stillpoint.io",
                                     "crd/backupstoragelocations.stillpoint.io"});
    ASSERT_EQ(w.exit_code, 0) << w.describe();
  }
  // `kubectl auth can-i VERB RESOURCE` as the server's service account: "yes" or "no".
  std::string can_i(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"auth", "can-i", "--as=" + kServiceAccount};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandResult r = kubectl(argv);
    return r.out.substr(0, r.out.find('\n'));
  }
};

// The CRDs install on a real API server, and Velero's example Backup (apiVersion changed)
// comes back with every spec field; its status, written through the status subresource,
// shows in `kubectl get backups` as NAME PHASE HOOKS FAILED AGE.
TEST_F(RealClusterDeployTest, CrdsKeepEveryVeleroFieldAndPrintTheirColumns) {
  apply_crds();
  const std::string ns = new_namespace();
  apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n");
  const std::string text = read_file(kSource + "/tests/deploy/data/velero-backup-with-hooks.yaml");
  const CommandResult a = kubectl({"apply", "-n", ns, "-f", "-"}, text);
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  const json stored = get(ns, "backups.stillpoint.io/a");
  const CommandResult expected =
      kubectl({"create", "--dry-run=client", "-o", "json", "-f", "-"}, text);
  ASSERT_EQ(expected.exit_code, 0) << expected.describe();
  EXPECT_EQ(stored["spec"], without_nulls(json::parse(expected.out)["spec"]));

  const CommandResult p = kubectl(
      {"patch", "-n", ns, "backups.stillpoint.io", "a", "--subresource=status", "--type=merge",
       "-p",
       R"({"status":{"phase":"Completed","hookStatus":{"hooksAttempted":2,"hooksFailed":1}}})"});
  ASSERT_EQ(p.exit_code, 0) << p.describe();
  const CommandResult table = kubectl({"get", "backups.stillpoint.io", "-n", ns});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_EQ(table.out.substr(0, table.out.find('\n')).substr(0, 4), "NAME") << table.out;
  std::istringstream lines(table.out);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  std::istringstream h(header), r(row);
  std::vector<std::string> columns, cells;
  for (std::string w; h >> w;)
    columns.push_back(w);
  for (std::string w; r >> w;)
    cells.push_back(w);
  EXPECT_EQ(columns, (std::vector<std::string>{"NAME", "PHASE", "HOOKS", "FAILED", "AGE"}))
      << table.out;
  ASSERT_EQ(cells.size(), 5u) << table.out;
  EXPECT_EQ(cells[1], "Completed");
  EXPECT_EQ(cells[2], "2");
  EXPECT_EQ(cells[3], "1");
}

// The service account of deploy/ may read everything, exec into pods, take its Lease and read
// Secrets in its own namespace, and update its objects' status; it may not delete workloads,
// escalate or bind roles, impersonate, or touch Leases and Secrets' writes elsewhere.
TEST_F(RealClusterDeployTest, RbacGrantsWhatTheServerNeedsAndRefusesTheRest) {
  apply_crds();
  for (const char* file :
       {"namespace.yaml", "serviceaccount.yaml", "clusterrole.yaml", "role.yaml"}) {
    const CommandResult a = kubectl({"apply", "-f", kSource + "/deploy/" + file});
    ASSERT_EQ(a.exit_code, 0) << file << ": " << a.describe();
  }
  EXPECT_EQ(can_i({"list", "secrets", "--all-namespaces"}), "yes");
  EXPECT_EQ(can_i({"watch", "statefulsets.apps", "-n", "default"}), "yes");
  EXPECT_EQ(can_i({"create", "pods", "--subresource=exec", "-n", "default"}), "yes");
  EXPECT_EQ(can_i({"get", "pods", "--subresource=exec", "-n", "default"}), "yes");
  EXPECT_EQ(can_i({"create", "leases.coordination.k8s.io", "-n", "stillpoint"}), "yes");
  EXPECT_EQ(can_i({"patch", "leases.coordination.k8s.io", "-n", "stillpoint"}), "yes");
  EXPECT_EQ(can_i({"patch", "backups.stillpoint.io", "--subresource=status", "-n", "stillpoint"}),
            "yes");
  EXPECT_EQ(can_i({"delete", "pods", "-n", "default"}), "no");
  EXPECT_EQ(can_i({"delete", "namespaces"}), "no");
  EXPECT_EQ(can_i({"escalate", "clusterroles.rbac.authorization.k8s.io"}), "no");
  EXPECT_EQ(can_i({"bind", "clusterroles.rbac.authorization.k8s.io"}), "no");
  EXPECT_EQ(can_i({"impersonate", "users"}), "no");
  EXPECT_EQ(can_i({"delete", "leases.coordination.k8s.io", "-n", "stillpoint"}), "no");
  EXPECT_EQ(can_i({"update", "leases.coordination.k8s.io", "-n", "kube-system"}), "no");
}

// scripts/build-image makes an OCI archive that the node's containerd imports and runs as the
// non-root user with a read-only root: `stillpoint version` prints the version in its log.
TEST_F(RealClusterDeployTest, ImageFromBuildImageRunsAsAPod) {
  const std::string tar = (dir_.path() / "stillpoint.tar").string();
  const CommandResult version = kubesim::testing::run_command({STILLPOINT_BINARY, "version"});
  ASSERT_EQ(version.exit_code, 0) << version.describe();
  const std::string ref = "stillpoint:rc-test-" + std::to_string(::getpid());
  const CommandResult build = kubesim::testing::run_command(
      {kSource + "/scripts/build-image", STILLPOINT_BINARY, tar, ref});
  ASSERT_EQ(build.exit_code, 0) << build.describe();
  const std::string sock = (kubeconfig_.parent_path() / "run" / "containerd.sock").string();
  const CommandResult import = kubesim::testing::run_command(
      {"ctr", "--address", sock, "-n", "k8s.io", "images", "import", tar});
  ASSERT_EQ(import.exit_code, 0) << import.describe();

  const std::string ns = new_namespace();
  apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns +
        "\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: version, namespace: " +
        ns +
        "}\n"
        "spec:\n  restartPolicy: Never\n  automountServiceAccountToken: false\n"
        "  securityContext: {runAsNonRoot: true}\n"
        "  containers:\n  - name: stillpoint\n    image: " +
        ref +
        "\n"
        "    imagePullPolicy: Never\n    args: [version]\n"
        "    securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,"
        " capabilities: {drop: [ALL]}}\n");
  const CommandResult w = kubectl({"wait", "-n", ns, "pod/version",
                                   "--for=jsonpath={.status.phase}=Succeeded", "--timeout=60s"});
  ASSERT_EQ(w.exit_code, 0) << w.describe() << get(ns, "pod/version").dump();
  const CommandResult logs = kubectl({"logs", "-n", ns, "version"});
  EXPECT_EQ(logs.out, version.out) << logs.describe();
  kubesim::testing::run_command(
      {"ctr", "--address", sock, "-n", "k8s.io", "images", "rm", "docker.io/library/" + ref});
}

}  // namespace
}  // namespace stillpoint::realcluster
