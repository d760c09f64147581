// A real Prometheus (Debian's, /usr/bin/prometheus) on loopback scrapes HttpEndpoints serving
// ServerMetrics once, and its query API returns the value recorded. Prometheus' discovery
// holds new targets for 5 s before the first scrape, so this test takes ~6 s; ctest label
// `prometheus`.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/temp_dir.h"
#include "metrics/http_endpoints.h"
#include "metrics/server_metrics.h"
#include "unit/metrics/http_test_client.h"

extern char** environ;

namespace stillpoint::metrics {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// A port free on 127.0.0.1 right now, for Prometheus' own listener (it cannot report a port
// it picked itself). Another process could take it before Prometheus binds; the test then
// fails with Prometheus' log saying so.
uint16_t free_port() {
  net::io_context io;
  net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Prometheus as a child process: SIGTERM then wait when destroyed (SIGKILL if it lingers).
class PrometheusProcess {
 public:
  PrometheusProcess(const std::vector<std::string>& args, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~PrometheusProcess() {
    if (pid_ <= 0 || reaped_)
      return;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  bool started() const { return pid_ > 0; }
  bool exited() {
    int status = 0;
    if (!reaped_ && ::waitpid(pid_, &status, WNOHANG) == pid_)
      reaped_ = true;
    return reaped_;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;  // waited for: the pid may belong to another process now
};

// GET `target` from 127.0.0.1:`port` and parse the JSON body; null if anything fails.
nlohmann::json get_json(uint16_t port, const std::string& target) {
  testing::TestHttpClient c(port);
  if (!c.connected())
    return nullptr;
  auto res = c.request("GET", target, "Connection: close\r\n");
  if (!res || res->result_int() != 200)
    return nullptr;
  return nlohmann::json::parse(res->body(), nullptr, /*allow_exceptions=*/false);
}

// Prometheus scrapes /metrics once: its target is up with no error, and a query returns the
// counter value recorded in ServerMetrics.
TEST(PrometheusScrape, ARealPrometheusScrapesTheEndpointsAndQueriesARecordedValue) {
  ASSERT_TRUE(std::filesystem::exists(STILLPOINT_PROMETHEUS))
      << STILLPOINT_PROMETHEUS << " is missing: scripts/install-deps installs Debian's prometheus";
  ServerMetrics metrics;
  for (int i = 0; i < 3; ++i) {
    metrics.backup_started("nightly");
    ASSERT_TRUE(metrics.backup_finished("nightly", "Completed", 12, 40, 0, 1765000000 + i));
  }
  ASSERT_TRUE(metrics.hook_observed("pre", "succeeded", 0.05));
  ASSERT_TRUE(metrics.freeze_window(1.2));

  net::io_context io;
  EndpointHandlers handlers;
  handlers.metrics = [&metrics] { return metrics.serialize(); };
  auto endpoints = HttpEndpoints::start(io.get_executor(), {"127.0.0.1", 0}, std::move(handlers));
  ASSERT_TRUE(endpoints) << endpoints.error().message;
  std::thread server([&io] { io.run(); });
  struct StopServer {
    net::io_context& io;
    HttpEndpoints& endpoints;
    std::thread& thread;
    ~StopServer() {
      net::post(io, [this] { endpoints.stop(); });
      thread.join();
    }
  } stop_server{io, **endpoints, server};

  testing::TempDir dir;
  const std::string config = dir.write("prometheus.yml",
                                       "global:\n"
                                       "  scrape_interval: 1s\n"
                                       "  scrape_timeout: 1s\n"
                                       "scrape_configs:\n"
                                       "  - job_name: stillpoint\n"
                                       "    static_configs:\n"
                                       "      - targets: ['127.0.0.1:" +
                                           std::to_string((*endpoints)->port()) + "']\n");
  const uint16_t web_port = free_port();
  const std::string log = dir.file("prometheus.log");
  const auto started_at = Clock::now();
  PrometheusProcess prometheus(
      {STILLPOINT_PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + dir.file("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(web_port)},
      log);
  ASSERT_TRUE(prometheus.started());

  // Wait (deadline 30 s) until the target is up and the query returns the recorded 3.
  const std::string query =
      "/api/v1/query?query=stillpoint_backup_success_total%7Bschedule%3D%22nightly%22%7D";
  const auto deadline = started_at + std::chrono::seconds(30);
  nlohmann::json target;
  nlohmann::json result;
  for (;;) {
    ASSERT_FALSE(prometheus.exited()) << "prometheus exited:\n" << read_file(log);
    const nlohmann::json targets = get_json(web_port, "/api/v1/targets");
    if (targets.is_object() && targets["data"]["activeTargets"].size() == 1) {
      target = targets["data"]["activeTargets"][0];
    }
    if (target.is_object() && target.value("health", "") == "up") {
      const nlohmann::json q = get_json(web_port, query);
      if (q.is_object() && !q["data"]["result"].empty()) {
        result = q["data"]["result"][0];
        break;
      }
    }
    ASSERT_LT(Clock::now(), deadline)
        << "no successful scrape within 30 s; last target state: " << target.dump()
        << "\nprometheus log:\n"
        << read_file(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval, not a wait
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_at);
  RecordProperty("first_scrape_ms", std::to_string(took.count()));
  std::cout << "prometheus: first successful scrape after " << took.count() << " ms\n";

  EXPECT_EQ(target["lastError"], "");
  EXPECT_EQ(target["scrapeUrl"],
            "http://127.0.0.1:" + std::to_string((*endpoints)->port()) + "/metrics");
  EXPECT_EQ(result["metric"]["schedule"], "nightly");
  EXPECT_EQ(result["metric"]["job"], "stillpoint");
  EXPECT_EQ(result["value"][1], "3");  // [timestamp, "value"]
}

}  // namespace
}  // namespace stillpoint::metrics
