// `stillpoint server` in a pod of the real Kubernetes 1.20 (issue 18): the image of
// scripts/build-image imported into the node's containerd, `stillpoint install --dry-run`
// applied, the server running with its service account's token (no admin credentials in the
// pod), and a Backup object with a hook run by it to Completed; a Schedule whose backups go to
// a real radosgw and expire (issue 19).
//
// The tier's API server listens on 127.0.0.1 only and the cluster has no kube-proxy (the
// `kubernetes` Service has no endpoints), so this test's copy of the Deployment runs on the
// host's network and points the in-cluster configuration at 127.0.0.1:<secure port> (in the
// serving certificate's SANs). deploy/ itself is left as it is for real clusters.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>
#include <thread>

#include "radosgw_fixture.h"
#include "realcluster_fixture.h"

namespace stillpoint::realcluster {
namespace {

using nlohmann::json;

const std::string kSource = STILLPOINT_SOURCE_DIR;
const std::vector<std::string> kCrds = {"backups.stillpoint.io", "restores.stillpoint.io",
                                        "backupstoragelocations.stillpoint.io",
                                        "schedules.stillpoint.io",
                                        "deletebackuprequests.stillpoint.io"};

// A TCP port on 127.0.0.1 free right now: the server's probes listen on the host's network,
// where the Deployment's 8085 may be taken.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0)
      ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RealClusterServerTest : public RealClusterTest {
 protected:
  // Cluster-scoped objects this test made (the install's ClusterRoles and bindings, renamed
  // for this test's namespace, and the CRDs if no earlier test installed them): deleted after
  // the namespaces, so the next test finds the cluster as this one did.
  void TearDown() override {
    // The pods removed at once (the kubelet stops them afterwards) and both namespaces
    // deleted together: left to the namespace controller, a namespace whose pods are still
    // terminating waits on its retries, tens of seconds each here.
    std::vector<std::string> namespaces;
    for (const std::string& ns : {server_ns_, app_ns_}) {
      if (ns.empty())
        continue;
      namespaces.push_back(ns);
      kubectl({"delete", "-n", ns, "deployments,replicasets,pods", "--all", "--grace-period=0",
               "--force"});
    }
    if (!namespaces.empty()) {
      std::vector<std::string> args{"delete", "namespace", "--wait=true", "--timeout=120s"};
      args.insert(args.end(), namespaces.begin(), namespaces.end());
      kubectl(args, "", std::chrono::seconds(150));
    }
    RealClusterTest::TearDown();
    if (!cluster_objects_.empty()) {
      std::vector<std::string> args{"delete", "--ignore-not-found", "--wait=true", "--timeout=60s"};
      args.insert(args.end(), cluster_objects_.begin(), cluster_objects_.end());
      kubectl(args);
    }
    if (!image_.empty()) {
      kubesim::testing::run_command({"ctr", "--address", containerd_socket(), "-n", "k8s.io",
                                     "images", "rm", "docker.io/library/" + image_});
    }
  }

  // The image built and imported into containerd, then `stillpoint install` for a namespace of
  // this test, with the server's args extended by `extra_args`, applied: the server runs as a
  // pod of its Deployment with its service account (on the host's network, reaching the API
  // server at the admin kubeconfig's 127.0.0.1 address). Fails the test on error.
  void install_server(const std::vector<std::string>& extra_args) {
  // The image, under a tag of this run.
  const std::string tar = (dir_.path() / "stillpoint.tar").string();
  const std::string ref = "stillpoint:rc-server-" + std::to_string(::getpid());
  const CommandResult build = kubesim::testing::run_command(
      {kSource + "/scripts/build-image", STILLPOINT_BINARY, tar, ref});
  ASSERT_EQ(build.exit_code, 0) << build.describe();
  const CommandResult import = kubesim::testing::run_command(
      {"ctr", "--address", containerd_socket(), "-n", "k8s.io", "images", "import", tar});
  ASSERT_EQ(import.exit_code, 0) << import.describe();
  image_ = ref;

  // The API server as the pod reaches it: the admin kubeconfig's address (127.0.0.1:port).
  const CommandResult server =
      kubectl({"config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"});
  ASSERT_EQ(server.exit_code, 0) << server.describe();
  const std::string prefix = "https://127.0.0.1:";
  ASSERT_EQ(server.out.rfind(prefix, 0), 0u) << server.out;
  const std::string api_port = server.out.substr(prefix.size());

  // The CRDs this test installs, unless an earlier test did.
  std::vector<std::string> new_crds;
  for (const std::string& crd : kCrds) {
    if (get("", "crd/" + crd).is_null())
      new_crds.push_back("crd/" + crd);
  }

  server_ns_ = new_namespace();
  const CommandResult install =
      kubesim::testing::run_command({STILLPOINT_BINARY, "install", "--dry-run", "-o", "json",
                                     "--namespace", server_ns_, "--image", ref});
  ASSERT_EQ(install.exit_code, 0) << install.describe();
  json list = json::parse(install.out);
  const int metrics_port = free_port();
  ASSERT_NE(metrics_port, 0);
  bool deployment = false;
  for (json& item : list["items"]) {
    const std::string kind = item.value("kind", "");
    // install names its ClusterRoles and bindings the same for every namespace: this test's
    // get a suffix, so they collide with no other install on the cluster.
    if (kind == "ClusterRole" || kind == "ClusterRoleBinding") {
      std::string& name = item["metadata"]["name"].get_ref<std::string&>();
      name += "-" + server_ns_;
      cluster_objects_.push_back(kind == "ClusterRole" ? "clusterrole/" + name
                                                       : "clusterrolebinding/" + name);
      if (kind == "ClusterRoleBinding")
        item["roleRef"]["name"] = item["roleRef"]["name"].get<std::string>() + "-" + server_ns_;
    }
    if (kind == "Deployment") {
      deployment = true;
      json& pod = item["spec"]["template"]["spec"];
      pod["hostNetwork"] = true;
      pod["dnsPolicy"] = "ClusterFirstWithHostNet";
      json& c = pod["containers"][0];
      c["imagePullPolicy"] = "Never";
      c["args"].push_back("--metrics-address");
      c["args"].push_back("127.0.0.1:" + std::to_string(metrics_port));
      c["ports"][0]["containerPort"] = metrics_port;
      c["env"].push_back({{"name", "KUBERNETES_SERVICE_HOST"}, {"value", "127.0.0.1"}});
      c["env"].push_back({{"name", "KUBERNETES_SERVICE_PORT"}, {"value", api_port}});
      for (const std::string& a : extra_args) c["args"].push_back(a);
      pod["terminationGracePeriodSeconds"] = 2;
    }
  }
  ASSERT_TRUE(deployment) << install.out;
  cluster_objects_.insert(cluster_objects_.begin(), new_crds.begin(), new_crds.end());
  const CommandResult applied = kubectl({"apply", "-f", "-"}, list.dump());
  ASSERT_EQ(applied.exit_code, 0) << applied.describe();
  // No admin credentials anywhere in the pod: the only token is the service account's.
  const json spec = get(server_ns_, "deployment/stillpoint")["spec"]["template"]["spec"];
  EXPECT_EQ(spec["serviceAccountName"], "stillpoint");
  EXPECT_EQ(spec.dump().find("kubeconfig"), std::string::npos) << spec.dump();

  }

  // Waits for the Deployment's rollout; the running server pod's name, or "" (test failed).
  std::string wait_for_server() {
  const CommandResult rollout =
      kubectl({"rollout", "status", "-n", server_ns_, "deployment/stillpoint", "--timeout=60s"}, "",
              std::chrono::seconds(120));
  EXPECT_EQ(rollout.exit_code, 0) << rollout.describe() << server_diagnostics();
  if (rollout.exit_code != 0) return "";
  const CommandResult pod_name = kubectl(
      {"get", "pods", "-n", server_ns_, "-l", "app.kubernetes.io/name=stillpoint",
       "--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}"});
  EXPECT_EQ(pod_name.exit_code, 0) << pod_name.describe();
  return pod_name.out;

  }

  std::string containerd_socket() const {
    return (kubeconfig_.parent_path() / "run" / "containerd.sock").string();
  }

  // The server pod's description and log, for every failure message after it was created.
  std::string server_diagnostics() {
    const CommandResult pods =
        kubectl({"describe", "pods", "-n", server_ns_, "-l", "app.kubernetes.io/name=stillpoint"});
    const CommandResult logs = kubectl(
        {"logs", "-n", server_ns_, "-l", "app.kubernetes.io/name=stillpoint", "--tail=200"});
    return "\n--- server pod ---\n" + pods.out + pods.err + "\n--- server log ---\n" + logs.out +
           logs.err;
  }

  std::vector<std::string> cluster_objects_;
  std::string image_;
  std::string server_ns_;
  std::string app_ns_;
};

// The server pod, with only its service account's token, takes a Backup object of a namespace
// whose pod has pre and post exec hooks to Completed: both hooks ran in the pod, in order, and
// the backup is in the server's default location.
TEST_F(RealClusterServerTest, BackupObjectWithHooksCompletesInAServerPod) {
  install_server({});
  ASSERT_FALSE(HasFatalFailure());
  // An application pod whose hooks append to a file in its container, started while the
  // server starts.
  const std::string app_ns = new_namespace();
  app_ns_ = app_ns;
  apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + app_ns +
        "\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: " +
        app_ns +
        "\n  annotations:\n"
        "    pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"echo pre >> "
        "/tmp/log\"]'\n"
        "    post.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"echo post >> "
        "/tmp/log\"]'\n"
        "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
        "    image: busybox:1.36\n    command: ['/bin/sh', '-c', 'exec sleep 100000']\n");

  const std::string server_pod = wait_for_server();
  ASSERT_FALSE(server_pod.empty()) << server_diagnostics();

  wait_ready(app_ns, "app");

  apply(
      "apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata:\n  name: with-hooks\n"
      "  namespace: " +
      server_ns_ + "\nspec:\n  includedNamespaces: [" + app_ns + "]\n");
  const CommandResult done = kubectl({"wait", "-n", server_ns_, "backups.stillpoint.io/with-hooks",
                                      "--for=jsonpath={.status.phase}=Completed", "--timeout=60s"},
                                     "", std::chrono::seconds(90));
  const json backup = get(server_ns_, "backups.stillpoint.io/with-hooks");
  ASSERT_EQ(done.exit_code, 0) << done.describe() << backup.dump(2) << server_diagnostics();
  EXPECT_EQ(backup["status"]["hookStatus"].value("hooksAttempted", -1), 2) << backup.dump(2);
  EXPECT_EQ(backup["status"]["hookStatus"].value("hooksFailed", 0), 0) << backup.dump(2);
  EXPECT_EQ(exec(app_ns, "app", "app", "cat /tmp/log"), "pre\npost\n");

  // The backup is in the server's location (HOME=/scratch, the pod's emptyDir).
  const CommandResult describe =
      kubectl({"exec", "-n", server_ns_, server_pod, "--", "/usr/local/bin/stillpoint", "backup",
               "describe", "with-hooks"});
  ASSERT_EQ(describe.exit_code, 0) << describe.describe() << server_diagnostics();
  EXPECT_NE(describe.out.find("Completed"), std::string::npos) << describe.out;

  // The leader keeps its Lease with its own rights: a renewal (a merge patch) lands, so
  // renewTime moves past acquireTime within a few retry periods; a server whose renewals are
  // refused would lead for one renew deadline and exit. (`patch` on leases comes from
  // deploy/role.yaml, and also from the restore ClusterRole's create/patch on everything.)
  std::string acquired, renewed;
  for (int i = 0; i < 40 && (renewed.empty() || renewed == acquired); ++i) {
    const json lease = get(server_ns_, "leases.coordination.k8s.io/stillpoint-server");
    const json spec = lease.value("spec", json::object());
    acquired = spec.value("acquireTime", "");
    renewed = spec.value("renewTime", "");
    if (renewed.empty() || renewed == acquired) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  EXPECT_FALSE(renewed.empty()) << server_diagnostics();
  EXPECT_NE(renewed, acquired) << "the leader never renewed its Lease" << server_diagnostics();
}


// The schedule scenario, shortened, on the real cluster: the server in a pod, its default
// location an `aws` BackupStorageLocation on a real radosgw with credentials from a Secret. A
// Schedule `@every 20s` with a 25 s ttl makes backups labelled with its name into the bucket,
// and garbage collection (every 5 s here) deletes the first one from the bucket and from the
// cluster once it expires, while the later ones stay.
TEST_F(RealClusterServerTest, ScheduledBackupsLandInRadosgwAndExpire) {
  auto gw = s3test::RadosGw::start(false);
  ASSERT_TRUE(gw) << gw.error().message;
  ASSERT_TRUE((*gw)->create_bucket("schedules"));
  install_server({"--garbage-collection-frequency", "5s"});
  ASSERT_FALSE(HasFatalFailure());
  app_ns_ = new_namespace();
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + app_ns_ +
        "}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " +
        app_ns_ + "}\ndata: {mode: production}\n");
  const std::string credentials = "[default]\naws_access_key_id = " + (*gw)->access_key() +
                                  "\naws_secret_access_key = " + (*gw)->secret_key() + "\n";
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "rgw-credentials"}, {"namespace", server_ns_}}},
                 {"stringData", {{"cloud", credentials}}}};
  json location = {
      {"apiVersion", "stillpoint.io/v1"},
      {"kind", "BackupStorageLocation"},
      {"metadata", {{"name", "rgw"}, {"namespace", server_ns_}}},
      {"spec",
       {{"provider", "aws"},
        {"default", true},
        {"objectStorage", {{"bucket", "schedules"}, {"prefix", "cluster"}}},
        {"credential", {{"name", "rgw-credentials"}, {"key", "cloud"}}},
        {"config",
         {{"region", (*gw)->region()}, {"s3Url", (*gw)->endpoint()}, {"s3ForcePathStyle", "true"}}}}}};
  json schedule = {{"apiVersion", "stillpoint.io/v1"},
                   {"kind", "Schedule"},
                   {"metadata", {{"name", "every20"}, {"namespace", server_ns_}}},
                   {"spec",
                    {{"schedule", "@every 20s"},
                     {"template", {{"includedNamespaces", {app_ns_}}, {"ttl", "25s"}}}}}};
  const CommandResult applied =
      kubectl({"apply", "-f", "-"}, secret.dump() + "\n" + location.dump() + "\n" + schedule.dump());
  ASSERT_EQ(applied.exit_code, 0) << applied.describe();
  ASSERT_FALSE(wait_for_server().empty()) << server_diagnostics();

  // What the bucket holds, through the CLI reading the location directly.
  auto stored = [&]() {
    std::set<std::string> names;
    const std::vector<std::string> args{"env",
                                        "AWS_ACCESS_KEY_ID=" + (*gw)->access_key(),
                                        "AWS_SECRET_ACCESS_KEY=" + (*gw)->secret_key(),
                                        STILLPOINT_BINARY,
                                        "backup",
                                        "get",
                                        "-o",
                                        "json",
                                        "--storage=s3://schedules/cluster",
                                        "--s3-endpoint=" + (*gw)->endpoint(),
                                        "--s3-region=" + (*gw)->region()};
    const CommandResult r = kubesim::testing::run_command(args);
    if (r.exit_code != 0) return names;
    const json list = json::parse(r.out, nullptr, false);
    if (!list.is_object() || !list.contains("items")) return names;
    for (const json& b : list["items"]) names.insert(b["metadata"].value("name", ""));
    return names;
  };
  auto scheduled = [&]() {
    std::map<std::string, std::string> phases;  // name → phase, oldest first by name
    const json list = get(server_ns_, "backups.stillpoint.io");
    if (!list.is_object()) return phases;
    for (const json& b : list.value("items", json::array())) {
      if (b["metadata"].value("labels", json::object()).value("velero.io/schedule-name", "") !=
          "every20") {
        continue;
      }
      phases[b["metadata"].value("name", "")] =
          b.value("status", json::object()).value("phase", "");
    }
    return phases;
  };

  // The first backup (made at once) completes into the bucket.
  std::string first;
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] {
        const auto all = scheduled();
        if (all.empty() || all.begin()->second != "Completed") return false;
        first = all.begin()->first;
        return stored().count(first) > 0;
      },
      std::chrono::seconds(90)))
      << get(server_ns_, "backups.stillpoint.io").dump(2) << server_diagnostics();
  EXPECT_EQ(first.rfind("every20-", 0), 0u) << first;
  // Later ones come every 20 s; the first expires at 25 s and is collected from both places.
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] {
        const auto all = scheduled();
        return all.size() >= 2 && !all.count(first) && !stored().count(first);
      },
      std::chrono::seconds(120)))
      << get(server_ns_, "backups.stillpoint.io").dump(2) << server_diagnostics();
  const auto remaining = scheduled();
  const auto in_bucket = stored();
  for (const auto& [name, phase] : remaining) {
    if (phase == "Completed") {
      EXPECT_TRUE(in_bucket.count(name)) << name;
    }
  }
  const json status = get(server_ns_, "schedules.stillpoint.io/every20")["status"];
  EXPECT_EQ(status.value("phase", ""), "Enabled") << status.dump(2);
  EXPECT_FALSE(status.value("lastBackup", "").empty()) << status.dump(2);
  // The location was checked and written with the Secret's credentials.
  EXPECT_EQ(get(server_ns_, "backupstoragelocations.stillpoint.io/rgw")["status"].value("phase", ""),
            "Available");
}

}  // namespace
}  // namespace stillpoint::realcluster
