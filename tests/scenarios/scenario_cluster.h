// What a scenario needs of a cluster, so one scenario runs unchanged on kubesim (tests/e2e)
// and on the real Kubernetes of tests/realcluster: the real kubectl, the real stillpoint
// binary with a backup location, an image whose containers have sh, sleep and cat, and
// namespaces of the test's own. Each tier's fixture adapts itself to it.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubectl_harness.h"

namespace stillpoint::scenarios {

using kubesim::testing::CommandResult;

class ScenarioCluster {
 public:
  virtual ~ScenarioCluster() = default;
  // `timeout`: how long the command may take before it is killed (kubectl's own --timeout
  // must be shorter).
  virtual CommandResult kubectl(const std::vector<std::string>& args,
                                const std::string& input = "",
                                std::chrono::seconds timeout = std::chrono::seconds(90)) = 0;
  // stillpoint ARGS with the backup location, and --kubeconfig when `cluster`.
  virtual CommandResult stillpoint(std::vector<std::string> args, bool cluster = true) = 0;
  virtual std::string image() const = 0;
  // A fresh namespace name, deleted when the test ends.
  virtual std::string new_namespace() = 0;
  // How long a pod may take to start here (images, sandboxes, init containers).
  virtual std::chrono::seconds start_limit() const = 0;

  // Helpers on top of the above; each fails the test (gtest) on an error.
  void apply(const std::string& yaml);
  nlohmann::json get(const std::string& ns, const std::string& what);  // null when absent
  void wait_ready(const std::string& ns, const std::string& pod);
  void delete_namespace(const std::string& ns);
  std::string exec(const std::string& ns, const std::string& pod, const std::string& script);
  bool eventually(const std::function<bool()>& probe);
};

}  // namespace stillpoint::scenarios
