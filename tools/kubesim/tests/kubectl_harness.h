// Test harness: a kubesim started in-process on 127.0.0.1:0 in a fresh temporary directory,
// and a runner for the real /usr/bin/kubectl (or any command) against it, with a deadline so a
// hung child fails the test instead of the suite.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kubesim.h"

namespace stillpoint::kubesim::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed at the deadline
  std::string out;
  std::string err;
  std::string describe() const;  // for assertion messages
};

// Runs argv with `input` on stdin; kills it (and its process group) at `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          std::chrono::seconds timeout = std::chrono::seconds(60),
                          const std::vector<std::string>& extra_env = {});

// A fresh temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class KubesimFixture {
 public:
  explicit KubesimFixture(bool run_pods = true);
  ~KubesimFixture();

  Server& server() { return *server_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // kubectl --kubeconfig=… --cache-dir=… args…
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "",
                        std::chrono::seconds timeout = std::chrono::seconds(90));
  // Polls `probe` until it returns true or `timeout` passes.
  static bool eventually(const std::function<bool()>& probe,
                         std::chrono::seconds timeout = std::chrono::seconds(60));

 private:
  TempDir dir_;
  std::unique_ptr<Server> server_;
};

}  // namespace stillpoint::kubesim::testing
