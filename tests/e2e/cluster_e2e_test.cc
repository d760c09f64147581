// `stillpoint cluster check` and `hooks plan|lint` on pods read from the cluster, end to end
// (issue 4, item 6): the real binary against an in-process kubesim, pods created with the
// real kubectl.
#include <algorithm>
#include <fstream>
#include <iterator>

#include "e2e_fixture.h"

namespace stillpoint::e2e {
namespace {

class ClusterE2eTest : public E2eTest {
 protected:
  // stillpoint args... --kubeconfig=<kubesim's> (these commands take no --storage).
  CommandResult run(std::vector<std::string> args) {
    std::vector<std::string> argv{STILLPOINT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--kubeconfig=" + sim_.server().kubeconfig_path().string());
    return kubesim::testing::run_command(argv, "", std::chrono::seconds(120));
  }
};

// Virtual pods (no processes): hooks are planned, not run, so nothing needs to execute.
std::string pod_yaml(const std::string& ns, const std::string& name,
                     const std::string& annotations) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  annotations:\n    kubesim.stillpoint.io/virtual: \"true\"\n" + annotations +
         "spec:\n  containers:\n  - name: app\n    image: debian\n---\n";
}

std::string ns_yaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n---\n";
}

// On kubesim everything backups need works: exit 0, and the JSON names the version, the
// aggregated discovery protocol, groups and resources, both permissions and a round trip.
TEST_F(ClusterE2eTest, ClusterCheckOnKubesimIsReady) {
  const CommandResult r = run({"cluster", "check", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["reachable"], true);
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["serverVersion"], "v1.32.0-kubesim");
  EXPECT_EQ(j["server"], "https://127.0.0.1:" + std::to_string(sim_.server().port()));
  EXPECT_EQ(j["discovery"]["protocol"], "aggregated");
  EXPECT_GE(j["discovery"]["groups"].get<int>(), 5);
  EXPECT_GE(j["discovery"]["resources"].get<int>(), 20);
  EXPECT_TRUE(j["discovery"]["warnings"].empty());
  EXPECT_EQ(j["access"]["listPods"]["allowed"], true);
  EXPECT_EQ(j["access"]["createPodsExec"]["allowed"], true);
  EXPECT_GT(j["roundTripMillis"].get<double>(), 0.0);
  EXPECT_EQ(j["roundTripSamples"], 5);
  EXPECT_TRUE(j["problems"].empty());

  const CommandResult text = run({"cluster", "check"});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  EXPECT_NE(text.out.find("v1.32.0-kubesim"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("May create pods/exec:           yes"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Ready for backups."), std::string::npos) << text.out;
}

// A server nobody listens on: exit 1 and one error line that names the address.
TEST_F(ClusterE2eTest, ClusterCheckAgainstAnUnreachableServerFailsInOneLine) {
  std::ifstream in(sim_.server().kubeconfig_path());
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string live = "127.0.0.1:" + std::to_string(sim_.server().port());
  ASSERT_NE(config.find(live), std::string::npos) << config;
  config.replace(config.find(live), live.size(), "127.0.0.1:1");
  const auto dead = sim_.dir() / "dead-kubeconfig";
  std::ofstream(dead) << config;

  const CommandResult r = kubesim::testing::run_command(
      {STILLPOINT_BINARY, "cluster", "check", "--kubeconfig=" + dead.string()}, "",
      std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("https://127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  // hooks plan from that cluster: the same kind of line.
  const CommandResult plan = kubesim::testing::run_command(
      {STILLPOINT_BINARY, "hooks", "plan", "--kubeconfig=" + dead.string()}, "",
      std::chrono::seconds(120));
  EXPECT_EQ(plan.exit_code, 1) << plan.describe();
  EXPECT_EQ(std::count(plan.err.begin(), plan.err.end(), '\n'), 1) << plan.err;
  EXPECT_NE(plan.err.find("127.0.0.1:1"), std::string::npos) << plan.err;
}

// Without --pods, hooks plan reads the cluster's pods: their annotation hooks and the spec's
// hooks appear, and includedNamespaces keeps other namespaces out.
TEST_F(ClusterE2eTest, HooksPlanReadsPodsFromTheCluster) {
  apply(ns_yaml("shop") +
        pod_yaml("shop", "db",
                 "    pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"sync\"]'\n"
                 "    pre.hook.backup.velero.io/container: app\n") +
        pod_yaml("shop", "web", "") + ns_yaml("other") +
        pod_yaml("other", "cache",
                 "    pre.hook.backup.velero.io/command: '[\"redis-cli\", \"save\"]'\n"));

  const CommandResult all = run({"hooks", "plan", "-o", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  const auto plans = nlohmann::json::parse(all.out);
  ASSERT_TRUE(plans.is_object() || plans.is_array()) << all.out;
  EXPECT_NE(all.out.find("\"db\""), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("\"web\""), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("\"cache\""), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("redis-cli"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("sync"), std::string::npos) << all.out;

  const auto spec = sim_.dir() / "backup.yaml";
  std::ofstream(spec) << "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b}\n"
                         "spec:\n  includedNamespaces: [shop]\n  hooks:\n    resources:\n"
                         "    - name: flush\n      pre:\n      - exec:\n          command: "
                         "[/bin/true, flushed]\n";
  const CommandResult shop = run({"hooks", "plan", "-o", "json", "--spec", spec.string()});
  ASSERT_EQ(shop.exit_code, 0) << shop.describe();
  EXPECT_NE(shop.out.find("\"db\""), std::string::npos) << shop.out;
  EXPECT_NE(shop.out.find("flushed"), std::string::npos) << shop.out;
  EXPECT_EQ(shop.out.find("\"cache\""), std::string::npos) << shop.out;
}

// hooks lint from the cluster: a hook naming a container the pod lacks is an error (exit 1),
// and the summary counts the cluster's pods.
TEST_F(ClusterE2eTest, HooksLintReadsPodsFromTheCluster) {
  apply(ns_yaml("l") +
        pod_yaml("l", "bad",
                 "    pre.hook.backup.velero.io/command: '[\"true\"]'\n"
                 "    pre.hook.backup.velero.io/container: nosuch\n") +
        pod_yaml("l", "good", ""));
  const CommandResult r = run({"hooks", "lint"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("error: l/bad:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nosuch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hooks lint: 2 pods read"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace stillpoint::e2e
