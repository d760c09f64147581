#include "scenario_cluster.h"

#include <gtest/gtest.h>

namespace stillpoint::scenarios {

void ScenarioCluster::apply(const std::string& yaml) {
  const CommandResult r = kubectl({"apply", "-f", "-"}, yaml);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
}

nlohmann::json ScenarioCluster::get(const std::string& ns, const std::string& what) {
  std::vector<std::string> args{"get", what, "-o", "json"};
  if (!ns.empty()) args.insert(args.end(), {"-n", ns});
  const CommandResult r = kubectl(args);
  if (r.exit_code != 0) return nullptr;
  return nlohmann::json::parse(r.out, nullptr, false);
}

void ScenarioCluster::wait_ready(const std::string& ns, const std::string& pod) {
  const CommandResult r =
      kubectl({"wait", "-n", ns, "--for=condition=Ready", "pod/" + pod,
               "--timeout=" + std::to_string(start_limit().count()) + "s"});
  ASSERT_EQ(r.exit_code, 0) << r.describe() << kubectl({"get", "pods", "-n", ns, "-o", "wide"}).out;
}

void ScenarioCluster::delete_namespace(const std::string& ns) {
  // The harness's limit is above kubectl's own: a slow namespace controller (seen on a loaded
  // machine: over 90 s) gets kubectl's full 180 s instead of a kill at the default 90 s.
  const CommandResult r = kubectl({"delete", "namespace", ns, "--wait=true", "--timeout=180s"},
                                  "", std::chrono::seconds(200));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
}

std::string ScenarioCluster::exec(const std::string& ns, const std::string& pod,
                                  const std::string& script) {
  const CommandResult r = kubectl({"exec", "-n", ns, pod, "--", "sh", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return r.out;
}

bool ScenarioCluster::eventually(const std::function<bool()>& probe) {
  return kubesim::testing::KubesimFixture::eventually(probe, start_limit());
}

}  // namespace stillpoint::scenarios
