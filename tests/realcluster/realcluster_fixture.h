// Fixture of the realcluster tests: the real stillpoint binary and the real kubectl against
// the Kubernetes 1.20 cluster that tests/realcluster/start runs (API server, kubelet and
// containerd built from Debian's packages), each test in namespaces of its own.
//
// The cluster is started once per ctest run by the `realcluster.start` fixture test; its
// admin kubeconfig is passed in $STILLPOINT_REALCLUSTER_KUBECONFIG. Without it, or when the
// cluster does not answer, every test fails with the reason: never a silent skip.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kubectl_harness.h"

namespace stillpoint::realcluster {

using kubesim::testing::CommandResult;

class RealClusterTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Deletes the namespaces this test made (and waits, so the next test starts clean).
  void TearDown() override;

  // A fresh namespace name for this test ("rc-<n>-<random>"); deleted at TearDown.
  std::string new_namespace();

  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "",
                        std::chrono::seconds timeout = std::chrono::seconds(120));
  void apply(const std::string& yaml);
  // Waits until the pod is Ready: on the real cluster that includes its image, sandbox and
  // init containers, so the limit is generous.
  void wait_ready(const std::string& ns, const std::string& pod,
                  std::chrono::seconds timeout = std::chrono::seconds(180));
  void delete_namespace(const std::string& ns);
  // kubectl exec -n NS POD -c CONTAINER -- sh -c SCRIPT; fails the test on a non-zero exit.
  std::string exec(const std::string& ns, const std::string& pod, const std::string& container,
                   const std::string& script);
  // kubectl get -o json, or null if it does not exist.
  nlohmann::json get(const std::string& ns, const std::string& what);

  // stillpoint args... with --storage, and --kubeconfig where the command talks to the cluster.
  CommandResult stillpoint(std::vector<std::string> args, bool cluster = true);
  nlohmann::json backup_object(const std::string& backup);
  nlohmann::json restore_object(const std::string& restore);
  std::vector<std::string> tarball_entries(const std::string& backup);

  static std::string read_file(const std::filesystem::path& path);
  // A file in this test's directory holding `text` (a Backup or Restore spec).
  std::filesystem::path write_file(const std::string& name, const std::string& text);

  std::filesystem::path kubeconfig_;
  kubesim::testing::TempDir dir_;
  std::filesystem::path storage_;
  // A hostPath directory the pods' hooks write marker files into, read here on the host.
  std::filesystem::path markers_;

 private:
  std::vector<std::string> namespaces_;
};

bool contains(const std::vector<std::string>& list, const std::string& value);

}  // namespace stillpoint::realcluster
