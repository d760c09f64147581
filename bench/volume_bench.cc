// Pod volume data benchmark (docs/performance.md "Pod volume data", issue 7): how fast the real
// `stillpoint` binary backs up and restores one pod volume, and how much memory it needs.
//
// An in-process kubesim runs real pods (needs root). Pod vbench/app gets an emptyDir `data` at
// /data, annotated backup.velero.io/backup-volumes: data, which is filled in the pod with MIB
// MiB of /dev/urandom (worst case for compression; --zeros: /dev/zero) and checksummed there.
// Each run then times `stillpoint backup create`, deletes the namespace, times `stillpoint
// restore create --from-backup`, waits for the restored pod to be Ready and checks the
// SHA-256 of /data/blob inside it, and that /data holds nothing else. The restored pod is the
// source of the next run. Exits 1 if a command fails or the data does not match.
//
//   volume_bench [--mib N] [--runs R] [--zeros] [--breakdown]
//
// VOLUME_BENCH_WRAP="strace -f -ff --seccomp-bpf -T -e trace=fsync -o DIR/t" runs each
// stillpoint command under that tool (perf, heaptrack...); its RSS and CPU are then the tool's.
//
// Per run: MiB/s each way (volume bytes / wall time of the command, start-up included), the
// command's peak RSS (VmHWM polled every 5 ms; wait4's ru_maxrss is wrong after posix_spawn,
// see "Backup" in docs/performance.md) and the stored size; and CPU seconds split between the
// stillpoint process (wait4), kubesim (this process, getrusage) and the pod side (tar and exec
// helpers, reaped by kubesim: RUSAGE_CHILDREN minus stillpoint).
//
// --breakdown then measures the pieces separately, to show what bounds the figures: tar alone
// in the pod, the exec stream alone through kubesim (kubectl, and stillpoint's own exec client
// in a child process: `--exec-out`/`--exec-in`, and stdin again with a 64 KiB WebSocket write
// buffer), then, in this process, the volume codec (zstd + SHA-256) and a local write + fsync
// of the stored object.
//
// The bench's own memory stays bounded: volume data never passes through it except in 1 MiB
// pieces during --breakdown.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/evp.h>

#include "archive/volume_stream.h"
#include "kube/connection_factory.h"
#include "kube/credential_source.h"
#include "kube/exec_protocol.h"
#include "kube/exec_session.h"
#include "kube/http_client.h"
#include "kube/kubeconfig.h"
#include "kube/websocket_pod_exec.h"
#include "kubectl_harness.h"
#include "run_coroutine.h"
#include "proc_status.h"

using stillpoint::bench::vm_hwm_kib;

extern char** environ;

namespace asio = boost::asio;
using namespace stillpoint;
using Clock = std::chrono::steady_clock;
using kubesim::testing::CommandResult;

namespace {

constexpr const char* kNs = "vbench";
constexpr double kMiB = 1024.0 * 1024.0;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Cpu {
  double user = 0, sys = 0;
  double total() const { return user + sys; }
  Cpu operator-(const Cpu& o) const { return {user - o.user, sys - o.sys}; }
};

double tv(const timeval& t) {
  return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
}
Cpu cpu_of(const rusage& ru) {
  return {tv(ru.ru_utime), tv(ru.ru_stime)};
}
Cpu cpu_now(int who) {
  rusage ru{};
  getrusage(who, &ru);
  return cpu_of(ru);
}

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long peak_rss_kib = 0;
  Cpu cpu;          // the child's own (wait4)
  Cpu kubesim;      // this process meanwhile: kubesim's threads (and this poll loop)
  Cpu pod_side;     // other reaped descendants meanwhile: tar, kubesim's exec helpers
  std::string out;  // stdout (small: commands print a summary)
  std::string err;  // stderr, the last 4 KiB
};

std::string tail_of(const std::filesystem::path& file, size_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return s.size() > limit ? "..." + s.substr(s.size() - limit) : s;
}

// Runs `args` with stdout and stderr to files; polls its VmHWM every 5 ms. Killed after
// `timeout`.
ChildRun run_child(const std::vector<std::string>& args,
                   const std::filesystem::path& dir,
                   std::chrono::seconds timeout) {
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto out_file = dir / "child.out";
  const auto err_file = dir / "child.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  ChildRun r;
  const Cpu self_before = cpu_now(RUSAGE_SELF);
  const Cpu children_before = cpu_now(RUSAGE_CHILDREN);
  const auto start = Clock::now();
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    r.err = "spawn failed";
    return r;
  }
  posix_spawn_file_actions_destroy(&actions);
  const std::string pid_text = std::to_string(pid);
  int status = 0;
  rusage ru{};
  bool killed = false;
  for (;;) {
    if (wait4(pid, &status, WNOHANG, &ru) == pid)
      break;
    r.peak_rss_kib = std::max(r.peak_rss_kib, vm_hwm_kib(pid_text));
    if (!killed && Clock::now() - start > timeout) {
      std::fprintf(stderr, "%s: still running after %ld s, killed\n", args[0].c_str(),
                   static_cast<long>(timeout.count()));
      kill(pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.seconds = seconds_since(start);
  r.exit_code = killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.cpu = cpu_of(ru);
  r.kubesim = cpu_now(RUSAGE_SELF) - self_before;
  r.pod_side = cpu_now(RUSAGE_CHILDREN) - children_before - r.cpu;
  r.out = tail_of(out_file, 1 << 16);
  r.err = tail_of(err_file, 4096);
  return r;
}

// The 1-minute load average: the machine is shared, so every figure is printed with it.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

std::string pod_yaml() {
  return std::string("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ") + kNs +
         "\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: " + kNs +
         "\n  annotations:\n    backup.velero.io/backup-volumes: data\n"
         "spec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n"
         "    image: debian\n    command: [sleep, infinity]\n"
         "    volumeMounts: [{name: data, mountPath: /data}]\n"
         "  volumes:\n  - name: data\n    emptyDir: {}\n";
}

// A script run in the pod that prints "<its output> <nanoseconds it took>".
std::string timed(const std::string& script) {
  return "s=$(date +%s%N); r=$(" + script + "); e=$(date +%s%N); echo \"$r $((e - s))\"";
}

// The last whitespace-separated number of `out`, as seconds (from nanoseconds).
double last_ns_as_seconds(const std::string& out) {
  const std::string t = trimmed(out);
  const auto at = t.find_last_of(" \n");
  return std::atof(t.c_str() + (at == std::string::npos ? 0 : at + 1)) / 1e9;
}

core::Result<std::shared_ptr<kube::HttpClient>> connect(asio::io_context& io,
                                                        const std::string& kubeconfig) {
  kube::LoadOptions lo;
  lo.kubeconfig = kubeconfig;
  auto config = kube::load_client_config(lo);
  if (!config)
    return core::unexpected(config.error());
  return kube::HttpClient::create(io.get_executor(), std::move(*config), {});
}

// WebSocketPodExec::exec (src/kube/websocket_pod_exec.cc) with one change: the WebSocket's
// write buffer, in which Beast masks a client's frames and which sets how much goes to each
// TLS write (Beast's default: 4096 bytes). For --exec-in WB: what a larger one would gain.
asio::awaitable<core::Result<hooks::ExecResult>> exec_with_write_buffer(kube::HttpClient& client,
                                                                        hooks::ExecRequest request,
                                                                        size_t write_buffer) {
  kube::ConnectionFactory& connections = client.connections();
  auto auth = connections.credentials().current();
  if (!auth)
    co_return core::unexpected(auth.error());
  auto conn = co_await connections.connect(*auth);
  if (!conn)
    co_return core::unexpected(conn.error());
  boost::beast::websocket::stream<kube::TlsStream> ws(std::move(**conn));
  ws.write_buffer_bytes(write_buffer);
  kube::ExecSessionOptions options;
  options.host = connections.url().authority();
  options.target = connections.url().prefix + kube::exec_target(request);
  options.authorization = auth->authorization;
  auto outcome = co_await kube::run_exec_session(ws, std::move(options), std::move(request));
  co_return std::move(outcome.result);
}

// --exec-out KUBECONFIG / --exec-in KUBECONFIG MIB [WB]: the exec stream alone, through
// stillpoint's own client (kube::WebSocketPodExec), in a process of its own. Out: `tar -C
// /data -cf - .` in vbench/app, its stdout counted and dropped. In: MIB MiB of random bytes
// in 256 KiB pieces (restore's piece size) into `cat > /dev/null`; with WB, through
// exec_with_write_buffer. Prints bytes=N.
int exec_child(const std::string& mode,
               const std::string& kubeconfig,
               long mib,
               size_t write_buffer) {
  asio::io_context io;
  auto http = connect(io, kubeconfig);
  if (!http) {
    std::fprintf(stderr, "%s\n", http.error().message.c_str());
    return 1;
  }
  kube::WebSocketPodExec exec(*http);
  hooks::ExecRequest request;
  request.namespace_name = kNs;
  request.pod = "app";
  request.container = "app";
  uint64_t bytes = 0;
  const uint64_t total = static_cast<uint64_t>(mib) << 20;  // for --exec-in
  std::string piece;
  if (mode == "--exec-out") {
    request.command = {"tar", "-C", "/data", "-cf", "-", "."};
    request.stdout_sink = [&](std::string_view data) -> asio::awaitable<core::Status> {
      bytes += data.size();
      co_return core::ok();
    };
  } else {
    request.command = {"sh", "-c", "cat > /dev/null"};
    piece.resize(256 * 1024);
    std::ifstream("/dev/urandom", std::ios::binary).read(piece.data(), piece.size());
    request.stdin_source = [&]() -> asio::awaitable<core::Result<std::string>> {
      if (bytes >= total)
        co_return std::string();
      bytes += piece.size();
      co_return piece;
    };
  }
  auto result = bench::run(
      io, write_buffer > 0 ? exec_with_write_buffer(**http, std::move(request), write_buffer)
                           : exec.exec(std::move(request)));
  if (!result || result->exit_code != 0) {
    std::fprintf(stderr, "exec failed: %s\n",
                 !result ? result.error().message.c_str() : result->stderr_data.c_str());
    return 1;
  }
  std::printf("bytes=%llu\n", static_cast<unsigned long long>(bytes));
  return 0;
}

class Bench {
 public:
  Bench(long mib, bool zeros) : mib_(mib), zeros_(zeros) {}

  int main(int runs, bool breakdown);

 private:
  CommandResult kubectl(const std::vector<std::string>& args, int timeout_s = 120) {
    return sim_.kubectl(args, "", std::chrono::seconds(timeout_s));
  }
  // sh -c SCRIPT in vbench/app; "" and a message on failure.
  bool in_pod(const std::string& script, std::string& out, int timeout_s = 600) {
    const CommandResult r =
        kubectl({"exec", "-n", kNs, "app", "-c", "app", "--", "sh", "-c", script}, timeout_s);
    out = r.out;
    if (r.exit_code != 0)
      std::fprintf(stderr, "in pod: %s\n%s", script.c_str(), r.describe().c_str());
    return r.exit_code == 0;
  }
  bool wait_ready() {
    const CommandResult r =
        kubectl({"wait", "-n", kNs, "--for=condition=Ready", "pod/app", "--timeout=300s"}, 320);
    if (r.exit_code != 0)
      std::fprintf(stderr, "pod not Ready:\n%s", r.describe().c_str());
    return r.exit_code == 0;
  }
  // VOLUME_BENCH_WRAP (see the top of this file): a tool around the binary.
  std::vector<std::string> stillpoint(std::vector<std::string> args) {
    args.insert(args.begin(), STILLPOINT_BINARY);
    if (const char* wrap = std::getenv("VOLUME_BENCH_WRAP"); wrap && *wrap) {
      std::istringstream words(wrap);
      std::vector<std::string> prefix{std::istream_iterator<std::string>(words), {}};
      args.insert(args.begin(), prefix.begin(), prefix.end());
    }
    args.push_back("--kubeconfig=" + sim_.server().kubeconfig_path().string());
    args.push_back("--storage=" + storage_.string());
    return args;
  }
  std::chrono::seconds command_timeout() const {
    return std::chrono::seconds(std::max<long>(600, mib_ * 2));  // gives up below 0.5 MiB/s
  }
  std::filesystem::path stored_object(const std::string& backup) const {
    return storage_ / "backups" / backup / "volumes" / kNs / "app" / "data.tar.zst";
  }
  void report(const char* what, const ChildRun& r) const;
  int run_once(int index);
  void breakdown();
  void breakdown_codec(const std::filesystem::path& stored);

  long mib_;
  bool zeros_;
  kubesim::testing::KubesimFixture sim_;
  std::filesystem::path storage_ = sim_.dir() / "backups";
  std::string sha_;  // of /data/blob
  std::string last_backup_;
  std::vector<double> backup_rates_, restore_rates_;
  long max_rss_kib_ = 0;
};

void Bench::report(const char* what, const ChildRun& r) const {
  std::printf(
      "  %-7s %ld MiB in %6.2f s = %6.1f MiB/s, peak RSS %5.1f MiB; CPU s: stillpoint %.2f "
      "(user %.2f sys %.2f), kubesim %.2f, pod side %.2f\n",
      what, mib_, r.seconds, mib_ / r.seconds, r.peak_rss_kib / 1024.0, r.cpu.total(), r.cpu.user,
      r.cpu.sys, r.kubesim.total(), r.pod_side.total());
}

int Bench::run_once(int index) {
  const std::string backup = "vb-" + std::to_string(index);
  const std::string restore = "vr-" + std::to_string(index);
  std::printf("run %d (load average %s):\n", index, load_average().c_str());
  // Each timed command starts with no dirty pages left to write back (the fill, the last
  // restore's copy), so it competes only with itself for the disk.
  ::sync();
  const ChildRun b =
      run_child(stillpoint({"backup", "create", backup, "--include-namespaces", kNs}), sim_.dir(),
                command_timeout());
  report("backup", b);
  if (b.exit_code != 0) {
    std::fprintf(stderr, "FAILED: backup create exited %d\n%s\n%s", b.exit_code, b.out.c_str(),
                 b.err.c_str());
    return 1;
  }
  std::error_code ec;
  const auto stored = std::filesystem::file_size(stored_object(backup), ec);
  if (ec) {
    std::fprintf(stderr, "FAILED: no stored volume data at %s\n%s", stored_object(backup).c_str(),
                 b.out.c_str());
    return 1;
  }
  std::printf("          stored %.2f MiB = %.2f%% of the data\n", stored / kMiB,
              100.0 * static_cast<double>(stored) / (mib_ * kMiB));
  if (!last_backup_.empty()) {
    // Only the newest is kept (disk space); --breakdown reads it.
    run_child(stillpoint({"backup", "delete", last_backup_}), sim_.dir(), command_timeout());
  }
  last_backup_ = backup;

  auto t = Clock::now();
  const CommandResult del =
      kubectl({"delete", "namespace", kNs, "--wait=true", "--timeout=120s"}, 150);
  if (del.exit_code != 0) {
    std::fprintf(stderr, "FAILED: delete namespace\n%s", del.describe().c_str());
    return 1;
  }
  std::printf("          namespace deleted in %.1f s\n", seconds_since(t));

  ::sync();
  t = Clock::now();
  const ChildRun r = run_child(stillpoint({"restore", "create", restore, "--from-backup", backup}),
                               sim_.dir(), command_timeout());
  report("restore", r);
  if (r.exit_code != 0) {
    std::fprintf(stderr, "FAILED: restore create exited %d\n%s\n%s", r.exit_code, r.out.c_str(),
                 r.err.c_str());
    return 1;
  }
  if (!wait_ready())
    return 1;
  std::printf("          pod Ready %.2f s after the restore started\n", seconds_since(t));
  std::string sum, listing;
  const bool summed = in_pod("sha256sum /data/blob", sum);
  const bool listed = in_pod("ls -A /data | tr '\\n' ' '", listing);
  sum = trimmed(sum).substr(0, 64);
  if (!summed || !listed || sum != sha_ || trimmed(listing) != "blob") {
    std::fprintf(stderr,
                 "FAILED: the restored data differs: sha256 of /data/blob '%s' (want %s), "
                 "/data holds '%s' (want 'blob')\n",
                 summed ? sum.c_str() : "none", sha_.c_str(), trimmed(listing).c_str());
    return 1;
  }
  std::printf("          verified: sha256 of /data/blob matches, nothing else in /data\n");
  backup_rates_.push_back(mib_ / b.seconds);
  restore_rates_.push_back(mib_ / r.seconds);
  max_rss_kib_ = std::max({max_rss_kib_, b.peak_rss_kib, r.peak_rss_kib});
  return 0;
}

// Times zstd + SHA-256 (the backup's encoder), SHA-256 alone, the restore's decoder, and the
// local store's write + fsync, on the stored object, in 1 MiB pieces.
void Bench::breakdown_codec(const std::filesystem::path& stored) {
  std::ifstream in(stored, std::ios::binary);
  archive::VolumeStreamDecoder decoder;
  archive::VolumeStreamEncoder encoder;
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  EVP_DigestInit_ex(sha, EVP_sha256(), nullptr);
  const auto out_path = sim_.dir() / "codec-out.tar.zst";
  const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  double read_s = 0, decode_s = 0, encode_s = 0, sha_s = 0, write_s = 0;
  std::string compressed(256 * 1024, '\0'), tar, out;
  uint64_t written = 0;
  bool ok = fd >= 0;
  auto encode_batch = [&](bool last) {
    auto t = Clock::now();
    EVP_DigestUpdate(sha, tar.data(), tar.size());
    sha_s += seconds_since(t);
    t = Clock::now();
    out.clear();
    ok = ok && encoder.encode(tar, out).has_value();
    if (last)
      ok = ok && encoder.finish(out).has_value();
    encode_s += seconds_since(t);
    t = Clock::now();
    ok = ok && ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size());
    written += out.size();
    write_s += seconds_since(t);
    tar.clear();
  };
  std::string_view pending;
  bool eof = false;
  // As the restore does (restore/pod_volume_restore.cc): decode until nothing more comes out.
  while (ok) {
    if (pending.empty() && !eof) {
      const auto t = Clock::now();
      in.read(compressed.data(), static_cast<std::streamsize>(compressed.size()));
      pending = std::string_view(compressed.data(), static_cast<size_t>(in.gcount()));
      eof = pending.empty();
      read_s += seconds_since(t);
    }
    const size_t before = tar.size(), input_before = pending.size();
    const auto t = Clock::now();
    ok = decoder.decode_some(pending, tar, (1 << 20) - tar.size()).has_value();
    decode_s += seconds_since(t);
    const bool progress = tar.size() != before || pending.size() != input_before;
    if (tar.size() >= (1 << 20))
      encode_batch(false);
    if (progress)
      continue;
    if (eof)
      break;
    if (!pending.empty())
      ok = false;  // stalled
  }
  ok = ok && decoder.finish().has_value();
  encode_batch(true);
  const auto t = Clock::now();
  ok = ok && ::fsync(fd) == 0;
  const double fsync_s = seconds_since(t);
  if (fd >= 0)
    ::close(fd);
  EVP_MD_CTX_free(sha);
  std::filesystem::remove(out_path);
  const double tar_mib = decoder.size() / kMiB;
  if (!ok) {
    std::printf("  codec: FAILED to decode/encode %s\n", stored.c_str());
    return;
  }
  std::printf("  in this process, one thread, %.0f MiB of tar (stored: %.1f MiB):\n", tar_mib,
              std::filesystem::file_size(stored) / kMiB);
  auto line = [](const char* what, double seconds, double mib) {
    std::printf("    %-56s %6.2f s = %6.0f MiB/s\n", what, seconds, mib / seconds);
  };
  const double stored_mib = written / kMiB;
  line("restore's decode (zstd + SHA-256), 256 KiB reads", decode_s, tar_mib);
  line("backup's encode (zstd -1 + SHA-256), 1 MiB batches", encode_s, tar_mib);
  line("  of which SHA-256 alone (OpenSSL EVP), timed apart", sha_s, tar_mib);
  line("write(2) of the stored bytes into the page cache", write_s, stored_mib);
  line("fsync(2) of them, as LocalDirStore's commit does", fsync_s, stored_mib);
  line("reading the stored object (page cache)", read_s, stored_mib);
}

void Bench::breakdown() {
  std::printf("breakdown (where the time goes; load average %s):\n", load_average().c_str());
  const std::string kubeconfig = sim_.server().kubeconfig_path().string();
  std::string out;
  auto rate = [&](const char* what, double seconds) {
    std::printf("  %-58s %6.2f s = %6.1f MiB/s\n", what, seconds, mib_ / seconds);
  };
  // tar alone: GNU tar skips reading files when it writes to /dev/null, hence wc -c.
  if (in_pod(timed("tar -C /data -cf - . | wc -c"), out)) {
    rate("in pod: tar -cf - . | wc -c", last_ns_as_seconds(out));
  }
  if (in_pod(timed("mkdir -p /tmp/x && tar -C /data -cf - . | tar -C /tmp/x -xf - && echo ok"),
             out)) {
    rate("in pod: tar -cf - . | tar -xf - (writes a copy)", last_ns_as_seconds(out));
  }
  in_pod("rm -rf /tmp/x", out);
  if (in_pod(timed("sha256sum /data/blob | cut -c1-8"), out)) {
    rate("in pod: sha256sum (coreutils)", last_ns_as_seconds(out));
  }
  if (in_pod(timed("if command -v zstd >/dev/null; then zstd -1 -c /data/blob | wc -c; else echo "
                   "none; fi"),
             out) &&
      out.find("none") == std::string::npos) {
    rate("in pod: zstd -1 -c | wc -c (zstd CLI, one thread)", last_ns_as_seconds(out));
  }

  // The exec stream alone, kubectl (Go client) against kubesim.
  const std::string k = "/usr/bin/kubectl --kubeconfig=" + kubeconfig +
                        " --cache-dir=" + (sim_.dir() / "kubectl-cache").string();
  const std::vector<std::string> env = {"HOME=" + sim_.dir().string()};
  auto shell = [&](const std::string& script) {
    const auto t = Clock::now();
    const CommandResult r =
        kubesim::testing::run_command({"/bin/sh", "-c", script}, "", command_timeout(), env);
    const double s = seconds_since(t);
    if (r.exit_code != 0) {
      std::fprintf(stderr, "%s\n%s", script.c_str(), r.describe().c_str());
      return -1.0;
    }
    return s;
  };
  if (double s = shell(k + " exec -n " + kNs + " app -- tar -C /data -cf - . | wc -c"); s > 0) {
    rate("kubectl exec app -- tar -cf - . | wc -c (out of the pod)", s);
  }
  if (double s = shell("head -c " + std::to_string(mib_ << 20) + " /dev/zero | " + k +
                       " exec -i -n " + kNs + " app -- sh -c 'cat > /dev/null'");
      s > 0) {
    rate("head -c | kubectl exec -i app -- cat >/dev/null (into pod)", s);
  }

  // The exec stream alone through stillpoint's client, in a child process; stdin once more
  // with a 64 KiB WebSocket write buffer instead of Beast's 4 KiB default.
  struct Variant {
    std::vector<std::string> args;
    const char* label;
  };
  const std::vector<Variant> variants = {
      {{"--exec-out"}, "stillpoint exec client: tar -cf - . out, dropped"},
      {{"--exec-in"}, "stillpoint exec client: 256 KiB pieces into cat >/dev/null"},
      {{"--exec-in", "65536"}, "  same, WebSocket write buffer 64 KiB (Beast default 4)"},
  };
  for (const Variant& v : variants) {
    std::vector<std::string> args = {"/proc/self/exe", v.args[0], kubeconfig, std::to_string(mib_)};
    args.insert(args.end(), v.args.begin() + 1, v.args.end());
    const ChildRun r = run_child(args, sim_.dir(), command_timeout());
    if (r.exit_code != 0) {
      std::fprintf(stderr, "%s failed:\n%s", v.label, r.err.c_str());
      continue;
    }
    std::printf(
        "  %-58s %6.2f s = %6.1f MiB/s, peak RSS %.1f MiB; CPU s: client %.2f (user %.2f sys "
        "%.2f), kubesim %.2f, pod side %.2f\n",
        v.label, r.seconds, mib_ / r.seconds, r.peak_rss_kib / 1024.0, r.cpu.total(), r.cpu.user,
        r.cpu.sys, r.kubesim.total(), r.pod_side.total());
  }
  breakdown_codec(stored_object(last_backup_));
}

int Bench::main(int runs, bool breakdown_too) {
  const auto bench_start = Clock::now();
  const CommandResult applied = sim_.kubectl({"apply", "-f", "-"}, pod_yaml());
  if (applied.exit_code != 0) {
    std::fprintf(stderr, "kubectl apply:\n%s", applied.describe().c_str());
    return 1;
  }
  if (!wait_ready())
    return 1;
  std::string out;
  const std::string source = zeros_ ? "/dev/zero" : "/dev/urandom";
  if (!in_pod(timed("head -c " + std::to_string(mib_ << 20) + " " + source + " > /data/blob"),
              out)) {
    return 1;
  }
  std::printf("%ld MiB from %s written into the pod's emptyDir in %.1f s\n", mib_, source.c_str(),
              last_ns_as_seconds(out));
  if (!in_pod(timed("sha256sum /data/blob"), out))
    return 1;
  sha_ = trimmed(out).substr(0, 64);
  std::printf("sha256 %s (sha256sum in the pod: %.1f s)\n", sha_.c_str(), last_ns_as_seconds(out));

  int failures = 0;
  for (int i = 1; i <= runs && failures == 0; ++i)
    failures += run_once(i);
  if (failures == 0 && breakdown_too)
    breakdown();

  if (!backup_rates_.empty()) {
    auto range = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      char text[96];
      std::snprintf(text, sizeof text, "%.1f-%.1f MiB/s (median %.1f)", v.front(), v.back(),
                    v[v.size() / 2]);
      return std::string(text);
    };
    const double worst = std::min(*std::min_element(backup_rates_.begin(), backup_rates_.end()),
                                  *std::min_element(restore_rates_.begin(), restore_rates_.end()));
    std::printf(
        "summary, %zu run(s) of %ld MiB (%s): backup %s, restore %s, peak RSS %.1f MiB; "
        "target >= 100 MiB/s each way with RSS < 100 MiB: %s\n",
        backup_rates_.size(), mib_, zeros_ ? "zeros" : "random", range(backup_rates_).c_str(),
        range(restore_rates_).c_str(), max_rss_kib_ / 1024.0,
        worst >= 100 && max_rss_kib_ < 100 * 1024 ? "met" : "NOT met");
  }
  std::printf(
      "this process (kubesim + bench) peak RSS %.1f MiB; total wall time %.1f s; load average "
      "%s\n",
      vm_hwm_kib("self") / 1024.0, seconds_since(bench_start), load_average().c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if ((argc == 4 || argc == 5) &&
      (std::strcmp(argv[1], "--exec-out") == 0 || std::strcmp(argv[1], "--exec-in") == 0)) {
    return exec_child(argv[1], argv[2], std::atol(argv[3]),
                      argc == 5 ? std::strtoul(argv[4], nullptr, 10) : 0);
  }
  long mib = 1024;
  int runs = 1;
  bool zeros = false, breakdown = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mib" && i + 1 < argc) {
      mib = std::atol(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--zeros") {
      zeros = true;
    } else if (arg == "--breakdown") {
      breakdown = true;
    } else {
      std::fprintf(stderr, "usage: volume_bench [--mib N] [--runs R] [--zeros] [--breakdown]\n");
      return 2;
    }
  }
  if (mib <= 0 || runs <= 0) {
    std::fprintf(stderr, "volume_bench: --mib and --runs must be positive\n");
    return 2;
  }
  if (::geteuid() != 0) {
    std::printf(
        "volume_bench: skipped: kubesim needs root to run pods (mount and PID "
        "namespaces, overlay mounts)\n");
    return 0;
  }
  try {
    Bench bench(mib, zeros);
    return bench.main(runs, breakdown);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volume_bench: %s\n", e.what());
    return 1;
  }
}
