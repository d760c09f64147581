// The in-cluster server end to end on kubesim: a `stillpoint server` child process, our CRDs
// applied with the real kubectl, objects read back with kubectl. Shared by the server's e2e
// suites (server_e2e_test.cc, schedule and sync suites).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e_fixture.h"

namespace stillpoint::e2e {

// A `stillpoint server` child process, its stderr in a file; SIGKILLed if still running at
// the end of the test.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> args, const std::filesystem::path& log);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Sends `signal` and returns the exit status (or -signal).
  int stop(int signal);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
};

// Every CRD of deploy/<folder> (crds or crds-velero), as one YAML stream.
std::string read_crds(const std::string& folder = "crds");

// A pod whose container "app" mounts the host directory `markers` at /markers.
std::string pod_yaml(const std::string& ns, const std::string& name, const std::string& labels,
                     const std::string& annotations, const std::string& markers);

class ServerE2eTest : public E2eTest {
 protected:
  // Applies the CRDs and namespace `stillpoint`.
  void SetUp() override;

  // `stillpoint server` on this fixture's kubesim and location, namespace stillpoint, metrics
  // on a free loopback port, with `extra` flags.
  std::unique_ptr<ServerProcess> start_server(const std::string& log_name,
                                              std::vector<std::string> extra = {});

  // The object in namespace stillpoint (null when it cannot be read).
  nlohmann::json get(const std::string& resource, const std::string& name);
  std::string phase_of(const std::string& resource, const std::string& name);
  // Waits until the object's phase is one of the final ones and returns it.
  std::string wait_final(const std::string& resource, const std::string& name,
                         std::chrono::seconds timeout = std::chrono::seconds(90));
};

}  // namespace stillpoint::e2e
