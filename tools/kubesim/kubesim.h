// kubesim as a library: start a loopback Kubernetes API server (HTTPS, bearer token, a fresh
// CA), get its kubeconfig, stop it. Tests embed it this way; `kubesim serve` is a thin CLI
// around the same object.
//
// Thread affinity: start/stop from any one thread. The server runs its own I/O thread; all
// API state lives on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/result.h"
#include "release.h"

namespace stillpoint::kubesim {

struct Options {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  std::filesystem::path data_dir;      // pod sandboxes and volumes; created if missing
  std::filesystem::path kubeconfig;    // written once the server accepts requests
  bool run_pods = true;                // false: pods are plain objects (no processes)
  // Aggregated discovery on /api and /apis when the client asks for it, as servers since 1.30
  // do; false serves only the legacy documents, as with the AggregatedDiscoveryEndpoint
  // feature gate off (clients must fall back).
  bool aggregated_discovery = true;
  // The ReplicaSet, Deployment, StatefulSet, DaemonSet controllers and the garbage collector
  // (controllers.h); false stores workload objects without acting on them.
  bool run_controllers = true;
  // The release whose admission and defaults kubesim follows (release.h); `--release 1.20`.
  KubeRelease release = KubeRelease::Current;
};

// The WebSocket subprotocols pods/exec accepts. Since 1.30 servers take v5.channel.k8s.io
// (which can close stdin); before that only v4.channel.k8s.io, and a 1.20 server answers a
// v5-only offer with 403 (tests/realcluster).
enum class ExecProtocols { V5AndV4, V4Only };

class Server {
 public:
  static core::Result<std::unique_ptr<Server>> start(Options options);
  ~Server();  // stops if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops every pod process (grace period, then SIGKILL), leaves no mount behind, closes the
  // listener. Idempotent; blocks until done.
  void stop();

  uint16_t port() const;
  std::string url() const;  // https://127.0.0.1:PORT
  const std::filesystem::path& kubeconfig_path() const;
  const std::string& token() const;
  // Safe to call while the server runs; applies to exec sessions opened afterwards.
  void set_exec_protocols(ExecProtocols protocols);
  // Exec sessions whose client went away while their process ran on (it is left running, as
  // containerd does). Tests wait for this instead of sleeping. Safe to call while running.
  size_t abandoned_exec_sessions() const;
  const std::string& ca_pem() const;

  struct State;

 private:
  explicit Server(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace stillpoint::kubesim
