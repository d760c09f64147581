// Restore benchmark (docs/performance.md "Restore"): an in-process kubesim is filled with
// OBJECTS config maps in namespace `bench`, the real stillpoint binary backs the namespace up
// into a temporary local location (as bench/backup_bench.cc does), then the backup is restored
// into a new namespace (namespaceMapping bench → restored-wW-R) once per worker count.
//
// Each restore runs in a child process, so that its peak RSS (VmHWM, polled) is its own and not
// kubesim's: by default this same program re-executed in `--child` mode, which runs
// RestoreRunner in-process and reports how long it spent reading the archive and creating the
// objects; with --binary, `stillpoint restore create` itself. Either way the parent then lists
// the target namespace and fails unless it holds exactly OBJECTS config maps.
//
//   restore_bench [--objects N] [--workers 1,4,16,64] [--runs R] [--qps Q] [--binary]
//
// --qps: the restore's client rate limit (requests/s; burst the same; 0 = none), for both
// the in-process child and --binary (--client-qps/--client-burst). The default is
// `restore create`'s own, 5000.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "hooks/clock.h"
#include "hooks/spec_file.h"
#include "kube/kubeconfig.h"
#include "kube/rest_client.h"
#include "kube/websocket_pod_exec.h"
#include "kubesim.h"
#include "restore/restore_runner.h"
#include "run_coroutine.h"
#include "storage/location.h"
#include "proc_status.h"

using stillpoint::bench::vm_hwm_kib;

extern char** environ;

namespace asio = boost::asio;
using namespace stillpoint;
using Clock = std::chrono::steady_clock;

namespace {

using bench::run;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

nlohmann::json config_map(int i) {
  return {{"metadata", {{"name", "cm-" + std::to_string(i)}, {"labels", {{"app", "bench"}}}}},
          {"data", {{"key", "value-" + std::to_string(i)}, {"settings", std::string(200, 'x')}}}};
}

core::Result<std::shared_ptr<kube::HttpClient>> connect(asio::io_context& io,
                                                        const std::string& kubeconfig,
                                                        double qps) {
  kube::LoadOptions lo;
  lo.kubeconfig = kubeconfig;
  auto config = kube::load_client_config(lo);
  if (!config)
    return core::unexpected(config.error());
  kube::TransportOptions t;
  t.qps = qps;
  t.burst = qps > 0 ? static_cast<int>(qps) : 1;
  return kube::HttpClient::create(io.get_executor(), std::move(*config), t);
}

// --child KUBECONFIG STORAGE BACKUP RESTORE TARGET_NS WORKERS QPS: one restore, the request
// built as `restore create --from-backup BACKUP --namespace-mappings bench:TARGET_NS
// --workers WORKERS` builds it. Prints one line of `key=value` results.
int child_main(char** argv) {
  const std::string kubeconfig = argv[0], storage_dir = argv[1], backup = argv[2], name = argv[3],
                    target = argv[4];
  const size_t workers = std::strtoul(argv[5], nullptr, 10);
  const double qps = std::atof(argv[6]);
  const auto started = Clock::now();

  nlohmann::json object = {
      {"apiVersion", "velero.io/v1"},
      {"kind", "Restore"},
      {"metadata", {{"name", name}}},
      {"spec", {{"backupName", backup}, {"namespaceMapping", {{"bench", target}}}}}};
  auto parsed = hooks::parse_spec_object(object, "restore_bench");
  if (!parsed || !parsed->is_restore()) {
    std::fprintf(stderr, "child: restore spec rejected\n");
    return 1;
  }
  restore::RestoreRequest request;
  request.name = name;
  request.backup_name = backup;
  request.spec = object["spec"];
  request.hooks_spec = std::get<hooks::RestoreSpec>(std::move(parsed->spec));
  request.workers = workers;

  auto store = storage::open_store(storage_dir);
  asio::io_context io;
  asio::thread_pool pool(1);
  auto http = connect(io, kubeconfig, qps);
  if (!store || !http) {
    std::fprintf(stderr, "child: %s\n", (!store ? store.error() : http.error()).message.c_str());
    return 1;
  }
  kube::RestClient rest(*http);
  kube::WebSocketPodExec exec(*http);
  hooks::SteadyClock clock;
  std::optional<Clock::time_point> spooled_at;
  restore::RestoreEnvironment env{
      rest, exec, clock, **store, pool.get_executor(), [&](const std::string& line) {
        // The first milestone says the archive has been read.
        if (!spooled_at)
          spooled_at = Clock::now();
        std::fprintf(stderr, "  %s\n", line.c_str());
      }};
  restore::RestoreRunner runner(env, std::move(request));
  const auto runner_start = Clock::now();
  auto result = run(io, runner.run());
  const auto runner_end = Clock::now();
  pool.join();
  if (!result) {
    std::fprintf(stderr, "child: restore failed: %s\n", result.error().message.c_str());
    return 1;
  }
  const restore::RestoreStatus& s = result->status;
  const auto secs = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  const auto spool_end = spooled_at.value_or(runner_start);
  std::printf(
      "phase=%s restored=%zu skipped=%zu failed=%zu setup_s=%.4f spool_s=%.4f "
      "create_s=%.4f\n",
      result->object["status"].value("phase", "?").c_str(), s.items_restored, s.items_skipped,
      s.items_failed, secs(started, runner_start), secs(runner_start, spool_end),
      secs(spool_end, runner_end));
  return 0;
}

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long peak_rss_kib = 0;
  std::string out;  // its stdout
};

// Runs `args`, stdout to a file that is read back, stderr inherited. Peak RSS is the child's
// VmHWM, polled as in backup_bench.cc (wait4's ru_maxrss would count kubesim too).
ChildRun run_child(const std::vector<std::string>& args, const std::filesystem::path& out_file) {
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  ChildRun r;
  const auto start = Clock::now();
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
    return r;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      break;
    r.peak_rss_kib = std::max(r.peak_rss_kib, vm_hwm_kib(std::to_string(pid)));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.seconds = seconds_since(start);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  posix_spawn_file_actions_destroy(&actions);
  std::ifstream in(out_file);
  std::stringstream text;
  text << in.rdbuf();
  r.out = text.str();
  return r;
}

// The number after `key=` in a child's result line, or -1.
double field(const std::string& out, const std::string& key) {
  const auto at = out.find(key + "=");
  return at == std::string::npos ? -1 : std::atof(out.c_str() + at + key.size() + 1);
}

std::vector<int> parse_list(const char* text) {
  std::vector<int> values;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    values.push_back(std::atoi(item.c_str()));
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 9 && std::strcmp(argv[1], "--child") == 0)
    return child_main(argv + 2);
  int objects = 10000;
  std::vector<int> worker_counts = {1, 4, 16, 64};
  int runs = 1;
  // The default of `restore create` (--client-qps 1000, burst 1000).
  double qps = 5000;
  bool binary = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--objects" && has_value) {
      objects = std::atoi(argv[++i]);
    } else if (arg == "--workers" && has_value) {
      worker_counts = parse_list(argv[++i]);
    } else if (arg == "--runs" && has_value) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--qps" && has_value) {
      qps = std::atof(argv[++i]);
    } else if (arg == "--binary") {
      binary = true;
    } else {
      std::fprintf(stderr,
                   "usage: restore_bench [--objects N] [--workers 1,4,16,64] [--runs R] "
                   "[--qps Q (0: no limit)] [--binary]\n");
      return 2;
    }
  }
  const auto bench_start = Clock::now();
  const auto dir =
      std::filesystem::temp_directory_path() / ("restore_bench." + std::to_string(::getpid()));
  kubesim::Options o;
  o.data_dir = dir / "data";
  o.kubeconfig = dir / "kubeconfig";
  auto server = kubesim::Server::start(o);
  if (!server) {
    std::fprintf(stderr, "kubesim: %s\n", server.error().message.c_str());
    return 1;
  }
  asio::io_context io;
  auto http = connect(io, o.kubeconfig.string(), 0);
  if (!http)
    return 1;
  kube::RestClient rest(*http);
  if (!run(io, rest.create({"", "v1", "namespaces"}, "", {{"metadata", {{"name", "bench"}}}}))) {
    return 1;
  }
  const kube::GroupVersionResource cm_gvr{"", "v1", "configmaps"};
  auto t0 = Clock::now();
  for (int i = 0; i < objects; ++i) {
    auto r = run(io, rest.create(cm_gvr, "bench", config_map(i)));
    if (!r) {
      std::fprintf(stderr, "create configmap %d: %s\n", i, r.error().message.c_str());
      return 1;
    }
  }
  std::printf("%d config maps created in %.1f s\n", objects, seconds_since(t0));
  const std::string storage_dir = (dir / "backups").string();
  const ChildRun backup =
      run_child({STILLPOINT_BINARY, "backup", "create", "bench", "--include-namespaces=bench",
                 "--kubeconfig=" + o.kubeconfig.string(), "--storage=" + storage_dir},
                dir / "backup.out");
  std::printf("backup: exit %d, %.2f s\n", backup.exit_code, backup.seconds);
  if (backup.exit_code != 0)
    return 1;

  std::printf("restore (%s, client limit %s):\n",
              binary ? "stillpoint restore create" : "RestoreRunner in a child process",
              qps > 0 ? (std::to_string(static_cast<int>(qps)) + " QPS").c_str() : "none");
  int failures = 0;
  for (const int workers : worker_counts) {
    for (int run_index = 1; run_index <= runs; ++run_index) {
      const std::string target =
          "restored-w" + std::to_string(workers) + "-" + std::to_string(run_index);
      const std::string name = "r-" + target;
      const ChildRun r =
          binary ? run_child({STILLPOINT_BINARY, "restore", "create", name, "--from-backup=bench",
                              "--namespace-mappings=bench:" + target,
                              "--workers=" + std::to_string(workers),
                              "--client-qps=" + std::to_string(qps),
                              "--client-burst=" + std::to_string(qps > 0 ? static_cast<int>(qps) : 1),
                              "--kubeconfig=" + o.kubeconfig.string(), "--storage=" + storage_dir},
                             dir / "restore.out")
                 : run_child({"/proc/self/exe", "--child", o.kubeconfig.string(), storage_dir,
                              "bench", name, target, std::to_string(workers), std::to_string(qps)},
                             dir / "restore.out");
      // What the cluster holds afterwards, whatever the restore says.
      size_t listed = 0;
      kube::ListOptions lo;
      lo.namespace_name = target;
      lo.label_selector = "app=bench";
      auto list = run(io, rest.list(cm_gvr, lo, [&](nlohmann::json) -> core::Status {
        ++listed;
        return core::ok();
      }));
      const double create_s = field(r.out, "create_s");
      std::printf(
          "  workers %3d run %d: exit %d, %zu config maps in %s; wall %.2f s (%.0f objects/s), "
          "create phase %s, peak RSS %ld MiB\n",
          workers, run_index, r.exit_code, listed, target.c_str(), r.seconds, objects / r.seconds,
          create_s > 0 ? (std::to_string(create_s).substr(0, 5) + " s (" +
                          std::to_string(static_cast<int>(objects / create_s)) + " objects/s)")
                             .c_str()
                       : "n/a",
          r.peak_rss_kib / 1024);
      if (r.exit_code != 0 || !list || listed != static_cast<size_t>(objects)) {
        std::fprintf(stderr, "FAILED: expected %d config maps in %s, found %zu (exit %d)\n%s",
                     objects, target.c_str(), listed, r.exit_code, r.out.c_str());
        ++failures;
      }
    }
  }
  std::printf("total wall time %.1f s\n", seconds_since(bench_start));
  (*server)->stop();
  std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
