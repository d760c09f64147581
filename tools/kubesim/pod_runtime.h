// Pods that run: the kubelet of kubesim's single node. Each pod gets a sandbox directory
// under DATA-DIR/pods; its volumes become directories there (or the PV/hostPath they name);
// init containers run one after another to completion, then the containers start, each in its
// own mount+PID namespace over an overlay of the host root (process.h). Status moves as a
// kubelet reports it: Pending → Running → Succeeded/Failed, container states, readiness from
// exec probes, conditions. Pods annotated kubesim.stillpoint.io/virtual=true run nothing and
// are Running at once; exec into them runs the command in a scratch directory.
//
// Thread affinity: the server's io_context thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "api.h"
#include "pch.h"
#include "process.h"

namespace stillpoint::kubesim {

inline constexpr const char* kVirtualAnnotation = "kubesim.stillpoint.io/virtual";

struct Pod;

// Where and as whom an exec runs.
struct ExecTarget {
  pid_t container = 0;  // 0: virtual pod, no namespaces
  std::string scratch_dir;
  Identity identity;
  std::shared_ptr<Pod> pod;  // keeps the sandbox alive while the exec runs
};

enum class ExecProblem { None, PodNotFound, BadContainer, NotRunning };

class PodRuntime : public PodLifecycle {
 public:
  PodRuntime(boost::asio::io_context& io, Api& api, std::filesystem::path data_dir);
  ~PodRuntime() override;
  // A PV controller binds claims (controllers run): pods wait for their claims to be bound
  // instead of getting a directory of their own for an unbound claim (pod_setup.h).
  void set_claims_are_bound(bool on) { claims_are_bound_ = on; }

  void pod_created(const std::string& ns, const std::string& name) override;
  void pod_deleting(const std::string& ns, const std::string& name, int grace_seconds) override;
  std::variant<std::string, ApiError> pod_log(const std::string& ns, const std::string& name,
                                              const std::string& container,
                                              long tail_lines) override;

  // For `logs -f`: the container's log file, and whether more output can still come (the
  // pod exists and the container has not finished for good). Empty path: unknown container.
  std::string log_file(const std::string& ns, const std::string& name,
                       const std::string& container, bool* may_grow) const;

  // The target for an exec into `container` of a running pod; `problem` says why not.
  std::optional<ExecTarget> exec_target(const std::string& ns, const std::string& name,
                                        const std::string& container, ExecProblem* problem);

  // Waits for `pid` to exit (via pidfd) and reaps it. Returns the exit code.
  boost::asio::awaitable<int> wait_exit(pid_t pid);

  // Stops every pod: SIGTERM, a short grace, SIGKILL; returns when all processes are reaped.
  boost::asio::awaitable<void> stop_all();

  // Exec processes are registered with their pod until they are reaped, so that stop_all
  // and deleting their pod kill them too: an exec outlives its client (as with containerd),
  // never its pod. A container's namespace takes its execs with it; a virtual pod's are
  // killed by process group.
  void track_exec(pid_t pid, const std::shared_ptr<Pod>& pod) { execs_[pid] = pod.get(); }
  void untrack_exec(pid_t pid) { execs_.erase(pid); }

 private:
  boost::asio::awaitable<void> run_pod(std::shared_ptr<Pod> pod);
  boost::asio::awaitable<void> run_container(std::shared_ptr<Pod> pod, size_t index);
  boost::asio::awaitable<void> probe_loop(std::shared_ptr<Pod> pod, size_t index);
  boost::asio::awaitable<void> terminate(std::shared_ptr<Pod> pod, int grace_seconds);
  boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d);
  void publish(Pod& pod);
  // SIGKILLs the tracked exec processes of `pod` (nullptr: of every pod) and their groups.
  void kill_execs(const Pod* pod);

  boost::asio::io_context& io_;
  Api& api_;
  std::filesystem::path data_dir_;
  bool claims_are_bound_ = false;
  std::map<std::string, std::shared_ptr<Pod>> pods_;  // by "ns/name"
  std::map<pid_t, const Pod*> execs_;  // the Pod is kept alive by the exec's ExecTarget
  int running_tasks_ = 0;
};

}  // namespace stillpoint::kubesim
