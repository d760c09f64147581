// Schedules on kubesim (issue 19): the real `stillpoint server` started with --test-clock, its
// time moved by POST /debug/clock, a Schedule applied with the real kubectl. A simulated day of
// five-minute backups with a one-hour ttl; pausing; a server down for three simulated hours.
// Backup names are computed here from the test's own copy of the time (gmtime, not the
// server's formatting), and state is read back through the API server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "kube/kubeconfig.h"
#include "kube/http_client.h"
#include "kube/rest_client.h"
#include "server_fixture.h"

namespace stillpoint::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using TimePoint = std::chrono::system_clock::time_point;

// "2026-03-28T00:00:00Z" → time point, and the name Velero gives a scheduled backup.
TimePoint utc(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}
std::string format(TimePoint t, const char* pattern) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char out[40];
  std::strftime(out, sizeof out, pattern, &tm);
  return out;
}
std::string backup_name(const std::string& schedule, TimePoint t) {
  return schedule + "-" + format(t, "%Y%m%d%H%M%S");
}

// POST to the server's endpoints on 127.0.0.1:`port`; the status code, or 0 on a socket error.
int http_post(int port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int status = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "POST " + target +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                                "Connection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      std::string reply;
      char buf[512];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
      if (reply.rfind("HTTP/1.1 ", 0) == 0) status = std::atoi(reply.c_str() + 9);
    }
  }
  ::close(fd);
  return status;
}

// Polls `probe` every 10 ms (a step of the simulated day takes tens of milliseconds; the
// fixture's 100 ms polling would be most of it).
bool soon(const std::function<bool()>& probe, std::chrono::seconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return probe();
}

class ScheduleE2eTest : public ServerE2eTest {
 protected:
  void SetUp() override {
    ServerE2eTest::SetUp();
    apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n---\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: app}\n"
          "data: {mode: production}\n");
    kube::LoadOptions o;
    o.kubeconfig = sim_.server().kubeconfig_path().string();
    auto config = kube::load_client_config(o);
    ASSERT_TRUE(config) << config.error().message;
    auto client = kube::HttpClient::create(io_.get_executor(), *config, {});
    ASSERT_TRUE(client) << client.error().message;
    rest_ = std::make_unique<kube::RestClient>(*client);
  }

  // A server whose clock starts at `at`; waits until its endpoints listen and returns it.
  std::unique_ptr<ServerProcess> start_at(TimePoint at, const std::string& log) {
    now_ = at;
    auto server = start_server(log, {"--test-clock=" + format(at, "%Y-%m-%dT%H:%M:%SZ"),
                                     "--garbage-collection-frequency=5m", "--leader-elect=false"});
    const std::regex port_line("metrics on port ([0-9]+)");
    std::smatch m;
    EXPECT_TRUE(kubesim::testing::KubesimFixture::eventually([&] {
      const std::string text = server->log();
      return std::regex_search(text, m, port_line);
    })) << server->log();
    port_ = std::stoi(m[1]);
    return server;
  }

  void advance(core::Duration by) {
    ASSERT_EQ(http_post(port_, "/debug/clock?advance=" + std::to_string(by.count() / 1000000000) +
                                   "s"),
              200);
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
  }

  // Backup objects in namespace stillpoint: name → phase.
  std::map<std::string, std::string> backups() {
    std::map<std::string, std::string> out;
    kube::ListOptions options;
    options.namespace_name = "stillpoint";
    kube::ItemCallback keep = [&](json item) {
      out[item["metadata"].value("name", "")] =
          item.value("status", json::object()).value("phase", "");
      labels_[item["metadata"].value("name", "")] =
          item["metadata"].value("labels", json::object()).value("velero.io/schedule-name", "");
      return core::ok();
    };
    std::optional<bool> done;
    const kube::GroupVersionResource gvr{"stillpoint.io", "v1", "backups", ""};
    auto list = [&]() -> boost::asio::awaitable<void> {
      auto r = co_await rest_->list(gvr, options, keep);
      done = r.has_value();
    };
    boost::asio::co_spawn(io_, list(), boost::asio::detached);
    io_.restart();
    io_.run();
    EXPECT_TRUE(done && *done);
    return out;
  }
  std::set<std::string> stored() {
    std::set<std::string> out;
    if (!fs::exists(storage_ / "backups")) return out;
    for (const auto& e : fs::directory_iterator(storage_ / "backups")) {
      out.insert(e.path().filename().string());
    }
    return out;
  }
  static std::set<std::string> names(const std::map<std::string, std::string>& m) {
    std::set<std::string> out;
    for (const auto& [n, p] : m) out.insert(n);
    return out;
  }
  // Waits until `name` is Completed with `live` backups existing and the location holding
  // exactly them.
  bool settled(const std::string& name, size_t live) {
    return soon([&] {
      const auto all = backups();
      return all.count(name) && all.at(name) == "Completed" && all.size() == live &&
             stored() == names(all);
    });
  }

  boost::asio::io_context io_;
  std::unique_ptr<kube::RestClient> rest_;
  std::map<std::string, std::string> labels_;
  TimePoint now_;
  int port_ = 0;
};

TEST_F(ScheduleE2eTest, ADayOfSchedulesPausingAndACatchUpAfterDowntime) {
  const TimePoint start = utc(2026, 3, 28, 0, 0);
  auto server = start_at(start, "server.log");
  apply("apiVersion: stillpoint.io/v1\nkind: Schedule\nmetadata: {name: every5, namespace: "
        "stillpoint}\nspec:\n  schedule: '*/5 * * * *'\n  template:\n    includedNamespaces: "
        "[app]\n    includedResources: [configmaps]\n    ttl: 1h0m0s\n");
  // A simulated day: 288 backups, never more than the last hour's twelve at once.
  for (int step = 0; step < 288; ++step) {
    const std::string name = backup_name("every5", now_);
    ASSERT_TRUE(settled(name, std::min<size_t>(step + 1, 12)))
        << "step " << step << " (" << name << "): " << backups().size() << " backups, "
        << stored().size() << " stored\n"
        << server->log();
    ASSERT_EQ(labels_[name], "every5");
    advance(5min);
  }
  EXPECT_EQ(now_ - start, 24h);
  ASSERT_TRUE(settled(backup_name("every5", now_), 12)) << server->log();

  // Paused: time goes on, no backup is made, the old ones expire (one per five-minute step:
  // each step is waited for, so that every collection pass sees its own time).
  ASSERT_EQ(sim_.kubectl({"patch", "schedule", "every5", "-n", "stillpoint", "--type", "merge",
                          "-p", R"({"spec":{"paused":true}})"})
                .exit_code,
            0);
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually([&] {
    return server->log().find("Schedule stillpoint/every5: paused") != std::string::npos;
  })) << server->log();
  const auto before_pause = names(backups());
  for (size_t i = 1; i <= 6; ++i) {
    advance(5min);
    ASSERT_TRUE(soon([&] { return backups().size() == 12 - i; })) << server->log();
  }
  for (const auto& n : names(backups())) EXPECT_TRUE(before_pause.count(n)) << n;

  // Down for three hours: one catch-up backup when it is back, then the schedule as before.
  ASSERT_EQ(server->stop(SIGTERM), 0) << server->log();
  ASSERT_EQ(sim_.kubectl({"patch", "schedule", "every5", "-n", "stillpoint", "--type", "merge",
                          "-p", R"({"spec":{"paused":false}})"})
                .exit_code,
            0);
  server = start_at(now_ + 3h + 2min, "server-2.log");
  const std::string catch_up = backup_name("every5", now_);
  // Everything older than an hour expired while it was down: the catch-up backup alone.
  ASSERT_TRUE(settled(catch_up, 1)) << server->log();
  std::this_thread::sleep_for(1s);  // a burst would show by now
  EXPECT_EQ(names(backups()), std::set<std::string>{catch_up});
  advance(3min);  // to the next five-minute mark
  ASSERT_TRUE(settled(backup_name("every5", now_), 2)) << server->log();
  const json schedule = get("schedule", "every5");
  EXPECT_EQ(schedule["status"]["phase"], "Enabled");
  EXPECT_EQ(schedule["status"]["lastBackup"], format(now_, "%Y-%m-%dT%H:%M:%SZ"));
}


// The commands against a running server (on the wall clock): a schedule created from the
// command line makes its first backup at once; `backup create --from-schedule` is followed to
// Completed; `backup delete` removes a backup's data and object through a DeleteBackupRequest,
// and deleting it again is no error.
TEST_F(ScheduleE2eTest, CommandsDriveARunningServer) {
  auto server = start_server("server.log", {"--leader-elect=false"});
  auto sp = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{STILLPOINT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--kubeconfig=" + sim_.server().kubeconfig_path().string());
    return kubesim::testing::run_command(argv, "", std::chrono::seconds(120));
  };
  const CommandResult created = sp({"schedule", "create", "nightly", "--schedule", "0 1 * * *",
                                    "--include-namespaces", "app", "--ttl", "24h"});
  ASSERT_EQ(created.exit_code, 0) << created.describe();
  ASSERT_TRUE(soon([&] {
    for (const auto& [name, phase] : backups()) {
      if (labels_[name] == "nightly" && phase == "Completed") return true;
    }
    return false;
  })) << server->log();

  const CommandResult manual = sp({"backup", "create", "manual", "--from-schedule", "nightly"});
  ASSERT_EQ(manual.exit_code, 0) << manual.describe() << server->log();
  EXPECT_EQ(backups()["manual"], "Completed");
  EXPECT_EQ(labels_["manual"], "nightly");
  EXPECT_EQ(get("backup", "manual")["spec"]["ttl"], "24h");  // the template's, as typed
  ASSERT_TRUE(fs::exists(storage_ / "backups" / "manual" / "velero-backup.json"));

  const CommandResult described = sp({"schedule", "describe", "nightly"});
  ASSERT_EQ(described.exit_code, 0) << described.describe();
  EXPECT_NE(described.out.find("Enabled"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("manual"), std::string::npos) << described.out;

  const CommandResult deleted = sp({"backup", "delete", "manual"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.describe() << server->log();
  EXPECT_FALSE(fs::exists(storage_ / "backups" / "manual"));
  EXPECT_EQ(backups().count("manual"), 0u);
  const CommandResult again = sp({"backup", "delete", "manual"});
  EXPECT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_NE(again.out.find("nothing to delete"), std::string::npos) << again.describe();
}

}  // namespace
}  // namespace stillpoint::e2e
