// `stillpoint server` benchmarks (docs/performance.md "Server"): an in-process kubesim with
// our CRDs, the real binary running `stillpoint server` as a child process, Backups created
// through the REST client.
//
//   server_bench [BACKUPS]   (default 100)
//
// Reports: the server's RSS once idle (VmRSS after its first list); the time from a Backup's
// create to its status.phase InProgress (10 in a row, each waited to Completed); BACKUPS small
// Backups created at once and processed back to back (wall time to the last Completed, and the
// server's peak RSS, VmHWM, over the whole run).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/documents.h"
#include "kube/kubeconfig.h"
#include "kube/rest_client.h"
#include "kubesim.h"
#include "proc_status.h"
#include "run_coroutine.h"

extern char** environ;

namespace asio = boost::asio;
using namespace stillpoint;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

long vm_rss_kib(pid_t pid) {
  std::ifstream proc("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(proc, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

json backup(const std::string& name) {
  return {{"apiVersion", "stillpoint.io/v1"},
          {"kind", "Backup"},
          {"metadata", {{"name", name}}},
          {"spec", {{"includedNamespaces", {"app"}}}}};
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 100;
  const auto dir =
      std::filesystem::temp_directory_path() / ("server_bench." + std::to_string(::getpid()));
  kubesim::Options o;
  o.data_dir = dir / "data";
  o.kubeconfig = dir / "kubeconfig";
  auto sim = kubesim::Server::start(o);
  if (!sim) {
    std::fprintf(stderr, "kubesim: %s\n", sim.error().message.c_str());
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
  const kube::GroupVersionResource crds{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};
  for (const char* f : {"backups.yaml", "restores.yaml", "backupstoragelocations.yaml"}) {
    auto docs = core::load_documents(std::string(STILLPOINT_SOURCE_DIR) + "/deploy/crds/" + f);
    if (!docs) return 1;
    for (auto& d : *docs) {
      if (!bench::run(io, rest.create(crds, "", d.value))) return 1;
    }
  }
  const kube::GroupVersionResource namespaces{"", "v1", "namespaces"};
  for (const char* ns : {"stillpoint", "app"}) {
    if (!bench::run(io, rest.create(namespaces, "", json{{"metadata", {{"name", ns}}}}))) return 1;
  }
  const kube::GroupVersionResource cms{"", "v1", "configmaps"};
  for (int i = 0; i < 20; ++i) {
    json cm = {{"metadata", {{"name", "cm-" + std::to_string(i)}}}, {"data", {{"k", "v"}}}};
    if (!bench::run(io, rest.create(cms, "app", cm))) return 1;
  }
  // Discovery of the new CRDs is served at once by kubesim; give the server a clean start.
  std::vector<std::string> args{STILLPOINT_BINARY,
                                "server",
                                "--kubeconfig=" + o.kubeconfig.string(),
                                "--storage=" + (dir / "backups").string(),
                                "--metrics-address=127.0.0.1:0"};
  std::vector<char*> child_argv;
  for (auto& a : args) child_argv.push_back(a.data());
  child_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, (dir / "server.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, child_argv[0], &actions, nullptr, child_argv.data(), environ) != 0) return 1;
  posix_spawn_file_actions_destroy(&actions);

  const kube::GroupVersionResource backups{"stillpoint.io", "v1", "backups"};
  auto phase_of = [&](const std::string& name) -> std::string {
    auto got = bench::run(io, rest.get(backups, "stillpoint", name));
    if (!got || !got->contains("status")) return "";
    return (*got)["status"].value("phase", "");
  };
  auto wait_for = [&](const std::string& name, const std::string& phase) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      if (phase_of(name) == phase) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  };

  // Leader and listed: a first backup completes.
  if (!bench::run(io, rest.create(backups, "stillpoint", backup("warm-up"))) ||
      !wait_for("warm-up", "Completed")) {
    std::fprintf(stderr, "the server did not complete a backup; see %s\n",
                 (dir / "server.log").c_str());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("idle RSS after one backup: %.1f MiB\n", vm_rss_kib(pid) / 1024.0);

  std::vector<double> latencies;
  for (int i = 0; i < 10; ++i) {
    const std::string name = "latency-" + std::to_string(i);
    const auto t0 = Clock::now();
    if (!bench::run(io, rest.create(backups, "stillpoint", backup(name)))) return 1;
    // InProgress may already have turned Completed: either counts as started.
    const auto deadline = t0 + std::chrono::seconds(30);
    std::string phase;
    while (Clock::now() < deadline) {
      phase = phase_of(name);
      if (phase == "InProgress" || phase == "Completed") break;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!wait_for(name, "Completed")) return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf("create → InProgress (10 runs): median %.0f ms, max %.0f ms\n", latencies[5],
              latencies.back());

  const auto t0 = Clock::now();
  for (int i = 0; i < count; ++i) {
    if (!bench::run(io, rest.create(backups, "stillpoint", backup("b-" + std::to_string(i))))) {
      return 1;
    }
  }
  long peak = 0;
  for (int i = 0; i < count; ++i) {
    const std::string name = "b-" + std::to_string(i);
    while (phase_of(name) != "Completed") {
      peak = std::max(peak, bench::vm_hwm_kib(std::to_string(pid)));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (Clock::now() - t0 > std::chrono::minutes(5)) return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  peak = std::max(peak, bench::vm_hwm_kib(std::to_string(pid)));
  std::printf("%d backups created at once, all Completed in %.1f s (%.0f ms each); peak RSS "
              "%.1f MiB; RSS after %.1f MiB\n",
              count, seconds, seconds * 1000 / count, peak / 1024.0, vm_rss_kib(pid) / 1024.0);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  (*sim)->stop();
  std::filesystem::remove_all(dir);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
