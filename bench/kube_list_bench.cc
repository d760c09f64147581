// Paged list throughput of RestClient (docs/performance.md "RestClient list"): 10,000 virtual
// pods in an in-process kubesim, listed with limit=500 (the client default) and delivered item
// by item; items/s per run, and how much the process's peak RSS grew during the lists (the
// client should hold one page, not the whole list). kubesim shares the process and the 2
// cores, as in the tests.
//
// Then the exec round trip through WebSocketPodExec (300 sequential `true` execs).
//
//   kube_list_bench [pods=10000] [runs=5] [page=500]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "kube/kubeconfig.h"
#include "kube/rest_client.h"
#include "kube/websocket_pod_exec.h"
#include "kubesim.h"
#include "run_coroutine.h"

namespace asio = boost::asio;
using namespace stillpoint;
using Clock = std::chrono::steady_clock;

namespace {

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

using bench::run;

nlohmann::json virtual_pod(int i) {
  return {
      {"metadata",
       {{"name", "pod-" + std::to_string(i)},
        {"labels", {{"app", "bench"}}},
        {"annotations", {{"kubesim.stillpoint.io/virtual", "true"}}}}},
      {"spec", {{"containers", nlohmann::json::array({{{"name", "app"}, {"image", "debian"}}})}}}};
}

}  // namespace

int main(int argc, char** argv) {
  const int pods = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const size_t page = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 500;
  const auto dir =
      std::filesystem::temp_directory_path() / ("kube_list_bench." + std::to_string(::getpid()));
  kubesim::Options o;
  o.data_dir = dir / "data";
  o.kubeconfig = dir / "kubeconfig";
  o.run_pods = true;  // virtual pods still run no processes; exec into them works
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
  t.qps = 1e6;  // measure the client and server, not the limiter
  t.burst = 1000000;
  auto http = kube::HttpClient::create(io.get_executor(), *config, t);
  if (!config || !http) {
    std::fprintf(stderr, "client setup failed\n");
    return 1;
  }
  kube::RestClient rest(*http);
  const kube::GroupVersionResource gvr{"", "v1", "pods"};
  auto t0 = Clock::now();
  for (int i = 0; i < pods; ++i) {
    auto r = run(io, rest.create(gvr, "default", virtual_pod(i)));
    if (!r) {
      std::fprintf(stderr, "create %d: %s\n", i, r.error().message.c_str());
      return 1;
    }
  }
  std::printf("created %d virtual pods in %.2f s\n", pods,
              std::chrono::duration<double>(Clock::now() - t0).count());

  const long rss_before = peak_rss_kib();
  std::vector<double> rates;
  for (int run_index = 0; run_index < runs; ++run_index) {
    size_t bytes_of_names = 0;
    kube::ListOptions options;
    options.namespace_name = "default";
    options.page_size = page;
    auto start = Clock::now();
    auto summary = run(io, rest.list(gvr, options, [&](nlohmann::json item) -> core::Status {
      bytes_of_names += item["metadata"]["name"].get_ref<const std::string&>().size();
      return core::ok();
    }));
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (!summary || summary->items != static_cast<size_t>(pods)) {
      std::fprintf(stderr, "list failed: %s\n",
                   summary ? "wrong item count" : summary.error().message.c_str());
      return 1;
    }
    rates.push_back(pods / s);
    std::printf("run %d: %zu items in %zu pages, %.0f ms, %.0f items/s\n", run_index + 1,
                summary->items, summary->pages, s * 1000, pods / s);
  }
  std::sort(rates.begin(), rates.end());
  std::printf("median %.0f items/s; peak RSS %ld MiB before the lists, %ld MiB after (+%ld MiB)\n",
              rates[rates.size() / 2], rss_before / 1024, peak_rss_kib() / 1024,
              (peak_rss_kib() - rss_before) / 1024);

  // Exec round trip through the client (hooks::PodExec): `true` in a virtual pod, each exec on
  // its own TLS connection with a WebSocket upgrade, as every hook runs.
  kube::WebSocketPodExec exec(*http);
  std::vector<double> exec_ms;
  for (int i = 0; i < 300; ++i) {
    hooks::ExecRequest request;
    request.namespace_name = "default";
    request.pod = "pod-1";
    request.container = "app";
    request.command = {"true"};
    auto start = Clock::now();
    auto result = run(io, exec.exec(std::move(request)));
    exec_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!result || result->exit_code != 0) {
      std::fprintf(stderr, "exec failed: %s\n",
                   result ? "non-zero exit" : result.error().message.c_str());
      return 1;
    }
  }
  std::sort(exec_ms.begin(), exec_ms.end());
  std::printf("exec round trip (300 x `true`): median %.1f ms, p90 %.1f ms\n",
              exec_ms[exec_ms.size() / 2], exec_ms[exec_ms.size() * 9 / 10]);
  (*server)->stop();
  std::filesystem::remove_all(dir);
  return 0;
}
