#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace stillpoint::kubesim {
namespace {

using core::ErrorCode;
using core::unexpected;

// Everything the child needs, as C strings, built before clone/fork.
struct CStrings {
  std::vector<std::string> storage;
  std::vector<char*> ptrs;
  explicit CStrings(const std::vector<std::string>& v) : storage(v) {
    for (auto& s : storage) {
      ptrs.push_back(s.data());
    }
    ptrs.push_back(nullptr);
  }
};

void write_str(int fd, const char* s) {
  if (fd >= 0) {
    ssize_t ignored = write(fd, s, strlen(s));
    (void)ignored;
  }
}

// Reports a failure of the child on the container log (or stderr) and exits: the kubelet's
// equivalent is a StartError container status.
[[noreturn]] void die(int fd, const char* what, const char* arg) {
  write_str(fd, "kubesim: ");
  write_str(fd, what);
  if (arg != nullptr) {
    write_str(fd, " ");
    write_str(fd, arg);
  }
  write_str(fd, ": ");
  write_str(fd, strerror(errno));
  write_str(fd, "\n");
  _exit(128);
}

void mkdir_p(char* path) {
  for (char* p = path + 1; *p != '\0'; ++p) {
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0755);
      *p = '/';
    }
  }
  mkdir(path, 0755);
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; ++s) {
    signal(s, SIG_DFL);
  }
}

void apply_identity(const Identity& id, const std::vector<gid_t>& groups, int err_fd) {
  if (!id.set_user) {
    return;
  }
  if (setgroups(groups.size(), groups.data()) != 0) {
    die(err_fd, "setgroups", nullptr);
  }
  if (setgid(id.gid) != 0) {
    die(err_fd, "setgid", nullptr);
  }
  if (setuid(id.uid) != 0) {
    die(err_fd, "setuid", nullptr);
  }
}

// PATH candidates for argv[0], computed in the parent from the container's PATH.
std::vector<std::string> candidates(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env) {
  if (argv.empty()) {
    return {};
  }
  if (argv[0].find('/') != std::string::npos) {
    return {argv[0]};
  }
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : env) {
    if (e.starts_with("PATH=")) {
      path = e.substr(5);
    }
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? colon : colon - start);
    out.push_back((dir.empty() ? "." : dir) + "/" + argv[0]);
    if (colon == std::string::npos) {
      break;
    }
    start = colon + 1;
  }
  return out;
}

[[noreturn]] void exec_candidates(const CStrings& cands, const CStrings& argv, const CStrings& env,
                                  int err_fd) {
  int first_errno = ENOENT;
  for (size_t i = 0; i + 1 < cands.ptrs.size(); ++i) {
    execve(cands.ptrs[i], argv.ptrs.data(), env.ptrs.data());
    if (errno != ENOENT && first_errno == ENOENT) {
      first_errno = errno;
    }
  }
  errno = first_errno;
  die(err_fd, "exec", argv.ptrs[0]);
}

volatile pid_t g_child = 0;
void forward_signal(int sig) {
  if (g_child > 0) {
    kill(g_child, sig);
  }
}
void exit_on_signal(int) { _exit(0); }

struct ContainerArgs {
  const ContainerLaunch* launch;
  std::string overlay_opts;
  std::string proc, dev, sys, shm;
  std::vector<std::string> targets;  // rootfs + mount target
  CStrings* argv;
  CStrings* env;
  CStrings* cands;
  int log_fd;
  int null_fd;
  int ready_fd;  // written once the container's filesystem is in place
};

// The child's descriptor for ready_fd (kept across close_range).
constexpr int kReadyFd = 3;

int container_main(void* raw) {
  auto* a = static_cast<ContainerArgs*>(raw);
  const ContainerLaunch& l = *a->launch;
  reset_signals();
  // This init never execs, so close-on-exec does not apply: drop every descriptor inherited
  // from the server (client sockets, other sessions' pipes) or they would live as long as it.
  dup2(a->null_fd, 0);
  dup2(a->log_fd, 1);
  dup2(a->log_fd, 2);
  dup2(a->ready_fd, kReadyFd);
  close_range(kReadyFd + 1, ~0U, 0);
  int log = 2;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    die(log, "make / private", nullptr);
  }
  if (mount("overlay", l.rootfs.c_str(), "overlay", 0, a->overlay_opts.c_str()) != 0) {
    die(log, "mount overlay on", l.rootfs.c_str());
  }
  if (mount("proc", a->proc.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    die(log, "mount proc", nullptr);
  }
  if (mount("/dev", a->dev.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    die(log, "bind /dev", nullptr);
  }
  mount("tmpfs", a->shm.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  if (mount("/sys", a->sys.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    die(log, "bind /sys", nullptr);
  }
  for (size_t i = 0; i < l.mounts.size(); ++i) {
    char* target = a->targets[i].data();
    if (l.mounts[i].is_file) {
      char* slash = strrchr(target, '/');
      *slash = '\0';
      mkdir_p(target);
      *slash = '/';
      int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd >= 0) {
        close(fd);
      }
    } else {
      mkdir_p(target);
    }
    if (mount(l.mounts[i].source.c_str(), target, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      die(log, "bind volume", target);
    }
    if (l.mounts[i].read_only &&
        mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr) != 0) {
      die(log, "remount read-only", target);
    }
  }
  if (chdir(l.rootfs.c_str()) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
      umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
    die(log, "pivot_root", nullptr);
  }
  // Mounts and root are in place: only now may the container be reported running, or an exec
  // could enter a mount namespace that does not have its volumes yet.
  ssize_t ignored = write(kReadyFd, "r", 1);
  (void)ignored;
  close(kReadyFd);
  if (l.argv.empty()) {
    // No command: idle like a pause container until told to stop.
    signal(SIGTERM, exit_on_signal);
    signal(SIGINT, exit_on_signal);
    for (;;) {
      pause();
    }
  }
  pid_t child = fork();
  if (child < 0) {
    die(log, "fork", nullptr);
  }
  if (child == 0) {
    setsid();
    apply_identity(l.identity, l.identity.groups, log);
    const char* cwd = l.identity.cwd.empty() ? "/" : l.identity.cwd.c_str();
    if (chdir(cwd) != 0) {
      die(log, "chdir", cwd);
    }
    exec_candidates(*a->cands, *a->argv, *a->env, log);
  }
  g_child = child;
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) {
    signal(s, forward_signal);
  }
  for (;;) {
    int status = 0;
    pid_t r = waitpid(-1, &status, 0);
    if (r == child) {
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    if (r < 0 && errno == ECHILD) {
      _exit(128);
    }
  }
}

core::Result<pid_t> spawn_plain(const ExecLaunch& l, const CStrings& argv, const CStrings& env,
                                const CStrings& cands);

}  // namespace

core::Result<pid_t> launch_container(const ContainerLaunch& l) {
  ContainerArgs a;
  a.launch = &l;
  a.overlay_opts = "lowerdir=/,upperdir=" + l.upper + ",workdir=" + l.work;
  a.proc = l.rootfs + "/proc";
  a.dev = l.rootfs + "/dev";
  a.sys = l.rootfs + "/sys";
  a.shm = l.rootfs + "/dev/shm";
  for (const VolumeMount& m : l.mounts) {
    a.targets.push_back(l.rootfs + m.target);
  }
  CStrings argv(l.argv);
  CStrings env(l.identity.env);
  CStrings cands(candidates(l.argv, l.identity.env));
  a.argv = &argv;
  a.env = &env;
  a.cands = &cands;
  a.log_fd = open(l.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (a.log_fd < 0) {
    return unexpected(ErrorCode::Io, "cannot open " + l.log_path + ": " + strerror(errno));
  }
  a.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    const int e = errno;
    close(a.log_fd);
    close(a.null_fd);
    return unexpected(ErrorCode::Internal, std::string("pipe: ") + strerror(e));
  }
  a.ready_fd = ready[1];
  constexpr size_t kStack = 256 * 1024;
  std::unique_ptr<char[]> stack(new char[kStack]);
  pid_t pid = clone(container_main, stack.get() + kStack, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, &a);
  int saved = errno;
  close(a.log_fd);
  close(a.null_fd);
  close(ready[1]);
  if (pid < 0) {
    close(ready[0]);
    return unexpected(ErrorCode::Internal, std::string("clone: ") + strerror(saved));
  }
  // Wait (bounded) until its filesystem is set up, as a kubelet reports a container running
  // only once the runtime started it. A child that fails first closes the pipe: read gets 0,
  // and its exit is reported as usual.
  pollfd p{ready[0], POLLIN, 0};
  if (poll(&p, 1, 10000) > 0) {
    char byte;
    ssize_t ignored = read(ready[0], &byte, 1);
    (void)ignored;
  }
  close(ready[0]);
  return pid;
}

namespace {

// Virtual pods: posix_spawn (vfork-style) instead of fork. fork copies the page tables of a
// server holding 10,000 pods (~20 ms); spawning does not, which keeps exec round trips short.
core::Result<pid_t> spawn_plain(const ExecLaunch& l, const CStrings& argv, const CStrings& env,
                                const CStrings& cands) {
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, l.stdin_fd >= 0 ? l.stdin_fd : null_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, l.stdout_fd >= 0 ? l.stdout_fd : null_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, l.stderr_fd >= 0 ? l.stderr_fd : null_fd, 2);
  posix_spawn_file_actions_addchdir_np(&fa, l.scratch_dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  int rc = ENOENT;
  for (size_t i = 0; i + 1 < cands.ptrs.size(); ++i) {
    rc = posix_spawn(&pid, cands.ptrs[i], &fa, &attr, argv.ptrs.data(), env.ptrs.data());
    if (rc != ENOENT) {
      break;
    }
  }
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(null_fd);
  if (rc != 0) {
    // As a runtime would: the exec "runs" and fails with 126/127 and a message on stderr.
    std::string msg = "kubesim: exec " + l.argv[0] + ": " + strerror(rc) + "\n";
    if (l.stderr_fd >= 0) {
      ssize_t ignored = write(l.stderr_fd, msg.data(), msg.size());
      (void)ignored;
    }
    pid = fork();  // cheap enough on this error path; exits at once with the status
    if (pid == 0) {
      _exit(rc == ENOENT ? 127 : 126);
    }
  }
  return pid;
}

}  // namespace

core::Result<pid_t> launch_exec(const ExecLaunch& l) {
  CStrings argv(l.argv);
  CStrings env(l.identity.env);
  CStrings cands(candidates(l.argv, l.identity.env));
  if (l.container == 0 && !l.identity.set_user) {
    return spawn_plain(l, argv, env, cands);
  }
  int mnt_fd = -1;
  int pid_fd = -1;
  if (l.container > 0) {
    std::string base = "/proc/" + std::to_string(l.container) + "/ns/";
    mnt_fd = open((base + "mnt").c_str(), O_RDONLY | O_CLOEXEC);
    pid_fd = open((base + "pid").c_str(), O_RDONLY | O_CLOEXEC);
    if (mnt_fd < 0 || pid_fd < 0) {
      int saved = errno;
      if (mnt_fd >= 0) close(mnt_fd);
      if (pid_fd >= 0) close(pid_fd);
      return unexpected(ErrorCode::Unavailable,
                        std::string("container namespaces are gone: ") + strerror(saved));
    }
  }
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  const char* cwd = l.container > 0 ? (l.identity.cwd.empty() ? "/" : l.identity.cwd.c_str())
                                    : l.scratch_dir.c_str();
  pid_t pid = fork();
  if (pid < 0) {
    int saved = errno;
    close(null_fd);
    if (mnt_fd >= 0) close(mnt_fd);
    if (pid_fd >= 0) close(pid_fd);
    return unexpected(ErrorCode::Internal, std::string("fork: ") + strerror(saved));
  }
  if (pid == 0) {
    reset_signals();
    // Own process group: a signal to the group reaches the command and its children.
    setpgid(0, 0);
    int in = l.stdin_fd >= 0 ? l.stdin_fd : null_fd;
    int out = l.stdout_fd >= 0 ? l.stdout_fd : null_fd;
    int err = l.stderr_fd >= 0 ? l.stderr_fd : null_fd;
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (l.container > 0) {
      if (setns(mnt_fd, CLONE_NEWNS) != 0 || setns(pid_fd, CLONE_NEWPID) != 0) {
        die(2, "enter container namespaces", nullptr);
      }
      // This process waits instead of exec'ing: inherited descriptors of other sessions
      // must not stay open in it (their pipes would never see EOF).
      close_range(3, ~0U, 0);
      // Joining a PID namespace applies to children: the command is our child, and dies
      // with us (PDEATHSIG) so killing this process ends the exec.
      pid_t child = fork();
      if (child < 0) {
        die(2, "fork", nullptr);
      }
      if (child > 0) {
        close(0);
        close(1);
        close(2);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      }
      prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
    apply_identity(l.identity, l.identity.groups, 2);
    if (chdir(cwd) != 0) {
      die(2, "chdir", cwd);
    }
    exec_candidates(cands, argv, env, 2);
  }
  close(null_fd);
  if (mnt_fd >= 0) close(mnt_fd);
  if (pid_fd >= 0) close(pid_fd);
  return pid;
}

int open_pidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return 128;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace stillpoint::kubesim
