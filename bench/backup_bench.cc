// Scenario benchmarks of `stillpoint backup create` (docs/performance.md "Backup"): an
// in-process kubesim holds the objects (virtual pods run no processes, but their hooks really
// execute as processes), the real stillpoint binary backs them up into a temporary location.
// Wall time and the binary's peak RSS (its VmHWM) are reported per run.
//
//   backup_bench objects OBJECTS PODS [WORKERS]     (a): OBJECTS items, PODS of them pods
//   backup_bench hooks PODS WORKERS SECONDS         (b): each pod has a pre and a post hook
//                                                        that sleep SECONDS
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "kube/kubeconfig.h"
#include "kube/rest_client.h"
#include "kubesim.h"
#include "run_coroutine.h"
#include "proc_status.h"

using stillpoint::bench::vm_hwm_kib;

extern char** environ;

namespace asio = boost::asio;
using namespace stillpoint;
using Clock = std::chrono::steady_clock;

namespace {

using bench::run;

nlohmann::json virtual_pod(int i, double hook_seconds) {
  nlohmann::json annotations = {{"kubesim.stillpoint.io/virtual", "true"}};
  if (hook_seconds > 0) {
    const std::string sleep = "[\"/bin/sleep\", \"" + std::to_string(hook_seconds) + "\"]";
    annotations["pre.hook.backup.velero.io/command"] = sleep;
    annotations["post.hook.backup.velero.io/command"] = sleep;
  }
  return {{"metadata",
           {{"name", "pod-" + std::to_string(i)},
            {"labels", {{"app", "bench"}}},
            {"annotations", annotations}}},
          {"spec",
           {{"containers", nlohmann::json::array({{{"name", "app"}, {"image", "debian"}}})}}}};
}

nlohmann::json config_map(int i) {
  return {{"metadata", {{"name", "cm-" + std::to_string(i)}, {"labels", {{"app", "bench"}}}}},
          {"data", {{"key", "value-" + std::to_string(i)}, {"settings", std::string(200, 'x')}}}};
}

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long peak_rss_kib = 0;
};

// BACKUP_BENCH_WRAP="heaptrack" (or "valgrind --tool=massif") runs the binary under a
// profiler; the figures are then the profiler's, not ours.
ChildRun run_binary(std::vector<std::string> args) {
  if (const char* wrap = std::getenv("BACKUP_BENCH_WRAP"); wrap && *wrap) {
    std::vector<std::string> prefix;
    std::string word;
    for (const char* p = wrap;; ++p) {
      if (*p == ' ' || *p == 0) {
        if (!word.empty()) prefix.push_back(word);
        word.clear();
        if (*p == 0) break;
      } else {
        word.push_back(*p);
      }
    }
    args.insert(args.begin(), prefix.begin(), prefix.end());
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  ChildRun r;
  const auto start = Clock::now();
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return r;
  // Peak RSS is the child's VmHWM, polled: wait4's ru_maxrss would also count this process
  // (kubesim and all its objects), because a posix_spawn child starts on our address space and
  // Linux carries the pre-exec high-water mark across exec. VmHWM is monotonic, so the last
  // reading misses at most the final ~10 ms.
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    r.peak_rss_kib = std::max(r.peak_rss_kib, vm_hwm_kib(std::to_string(pid)));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  posix_spawn_file_actions_destroy(&actions);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "objects";
  const int a = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int b = argc > 3 ? std::atoi(argv[3]) : 1000;
  const int c = argc > 4 ? std::atoi(argv[4]) : 8;
  const double hook_seconds = scenario == "hooks" ? (argc > 4 ? std::atof(argv[4]) : 1.0) : 0;
  const int pods = scenario == "hooks" ? a : b;
  const int objects = scenario == "hooks" ? a : a;
  const int workers = scenario == "hooks" ? b : c;

  const auto dir =
      std::filesystem::temp_directory_path() / ("backup_bench." + std::to_string(::getpid()));
  kubesim::Options o;
  o.data_dir = dir / "data";
  o.kubeconfig = dir / "kubeconfig";
  o.run_pods = true;  // virtual pods: Running at once, exec runs real processes
  auto server = kubesim::Server::start(o);
  if (!server) {
    std::fprintf(stderr, "kubesim: %s\n", server.error().message.c_str());
    return 1;
  }
  kube::LoadOptions lo;
  lo.kubeconfig = o.kubeconfig.string();
  auto config = kube::load_client_config(lo);
  asio::io_context io;
  kube::TransportOptions t;
  t.qps = 1e6;
  t.burst = 1000000;
  auto http = kube::HttpClient::create(io.get_executor(), *config, t);
  if (!config || !http) return 1;
  kube::RestClient rest(*http);
  {
    nlohmann::json ns = {{"metadata", {{"name", "bench"}}}};
    auto r = run(io, rest.create({"", "v1", "namespaces"}, "", ns));
    if (!r) return 1;
  }
  const auto t0 = Clock::now();
  const kube::GroupVersionResource pods_gvr{"", "v1", "pods"};
  const kube::GroupVersionResource cm_gvr{"", "v1", "configmaps"};
  for (int i = 0; i < pods; ++i) {
    auto r = run(io, rest.create(pods_gvr, "bench", virtual_pod(i, hook_seconds)));
    if (!r) {
      std::fprintf(stderr, "create pod %d: %s\n", i, r.error().message.c_str());
      return 1;
    }
  }
  for (int i = 0; i < objects - pods - 1; ++i) {
    auto r = run(io, rest.create(cm_gvr, "bench", config_map(i)));
    if (!r) {
      std::fprintf(stderr, "create configmap %d: %s\n", i, r.error().message.c_str());
      return 1;
    }
  }
  std::printf("%s: %d objects (%d pods%s) created in %.1f s; %d ItemBlock workers\n",
              scenario.c_str(), objects, pods,
              hook_seconds > 0 ? (", hooks sleep " + std::to_string(hook_seconds) + " s").c_str()
                               : "",
              std::chrono::duration<double>(Clock::now() - t0).count(), workers);
  for (int i = 0; i < 3; ++i) {
    const std::string name = "bench-" + std::to_string(i);
    const ChildRun r =
        run_binary({STILLPOINT_BINARY, "backup", "create", name, "--include-namespaces=bench",
                    "--item-block-workers=" + std::to_string(workers),
                    "--kubeconfig=" + o.kubeconfig.string(),
                    "--storage=" + (dir / "backups").string()});
    std::printf("run %d: exit %d, %.2f s, %.0f objects/s, peak RSS %ld MiB\n", i + 1,
                r.exit_code, r.seconds, objects / r.seconds, r.peak_rss_kib / 1024);
    if (r.exit_code != 0) return 1;
    if (scenario == "hooks") break;  // minutes per run: one is enough
  }
  (*server)->stop();
  std::filesystem::remove_all(dir);
  return 0;
}
