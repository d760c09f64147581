// End-to-end fixture: kubesim with running pods, the real kubectl to create objects, the real
// stillpoint binary to back them up into a temporary backup location, and readers for what
// it wrote (tarball entries, the backup object).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kubectl_harness.h"

namespace stillpoint::e2e {

using kubesim::testing::CommandResult;

class E2eTest : public ::testing::Test {
 protected:
  E2eTest();

  // kubectl apply -f - of `yaml`; fails the test on error.
  void apply(const std::string& yaml);
  // Waits until `kubectl get pod` shows the pod Running and Ready.
  void wait_ready(const std::string& ns, const std::string& pod);

  // stillpoint args... with --kubeconfig and --storage added where the command takes them.
  CommandResult stillpoint(std::vector<std::string> args, bool cluster = true);

  // Entries of the backup's tarball (tar tzf).
  std::vector<std::string> tarball_entries(const std::string& backup);
  nlohmann::json backup_object(const std::string& backup);
  std::string read_file(const std::filesystem::path& path);

  kubesim::testing::KubesimFixture sim_;
  std::filesystem::path storage_;
  // When set, stillpoint() passes these instead of --storage=<storage_> (e.g. an s3://
  // location and its --s3-* flags), and runs with `env_` added to its environment.
  std::vector<std::string> storage_flags_;
  std::vector<std::string> env_;
  std::filesystem::path markers_;  // a hostPath volume the hooks write into
};

bool contains(const std::vector<std::string>& list, const std::string& value);

}  // namespace stillpoint::e2e
