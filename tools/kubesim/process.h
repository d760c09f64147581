// Starting processes the way a container runtime would, with plain Linux calls: a container's
// first process gets its own mount and PID namespace, an overlay of the host root (so its
// writes stay private), /proc, /dev, /sys and its volumes bind-mounted, then pivot_root. The
// command runs under a tiny init (PID 1) that forwards termination signals and reaps, so
// SIGTERM reaches a `sleep` exactly as on a kubelet with tini. Exec enters those namespaces.
//
// Every mount is made inside a private mount namespace that dies with the container's last
// process: the host mount table never changes, so a crash of kubesim leaves no mount behind.
//
// The code that runs between fork/clone and exec uses only system calls on memory prepared
// beforehand (the server is multi-threaded).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace stillpoint::kubesim {

struct Identity {
  bool set_user = false;  // false: stay root
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::vector<std::string> env;  // NAME=value
  std::string cwd;  // inside the container; empty = "/"
};

struct VolumeMount {
  std::string source;  // host path
  std::string target;  // absolute path in the container
  bool read_only = false;
  bool is_file = false;
};

struct ContainerLaunch {
  std::string rootfs, upper, work;  // empty directories in the pod sandbox
  std::vector<VolumeMount> mounts;
  std::vector<std::string> argv;  // empty: idle until terminated
  Identity identity;
  std::string log_path;  // stdout and stderr are appended here
};

// Returns the host PID of the container's init.
core::Result<pid_t> launch_container(const ContainerLaunch& launch);

struct ExecLaunch {
  pid_t container = 0;  // init of the container to enter; 0 = no namespaces (virtual pod)
  std::string scratch_dir;  // working directory when container == 0
  std::vector<std::string> argv;
  Identity identity;
  int stdin_fd = -1;  // -1 → /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Returns the PID to wait on and to kill (killing it kills the command too).
core::Result<pid_t> launch_exec(const ExecLaunch& launch);

// pidfd for asio to wait on; -1 on failure.
int open_pidfd(pid_t pid);
// Reaps `pid` (which must have exited) and returns its exit code; 128+N for signal N.
int reap(pid_t pid);

}  // namespace stillpoint::kubesim
