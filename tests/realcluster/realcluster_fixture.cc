#include "realcluster_fixture.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace stillpoint::realcluster {

using kubesim::testing::run_command;

void RealClusterTest::SetUp() {
  const char* kc = std::getenv("STILLPOINT_REALCLUSTER_KUBECONFIG");
  ASSERT_TRUE(kc != nullptr && *kc != '\0')
      << "STILLPOINT_REALCLUSTER_KUBECONFIG is not set: these tests run under ctest, after the "
         "realcluster.start fixture (tests/realcluster/start) brought the cluster up";
  kubeconfig_ = kc;
  ASSERT_TRUE(std::filesystem::exists(kubeconfig_))
      << kubeconfig_ << " does not exist: the real cluster is not running "
      << "(see the realcluster.start test's output)";
  storage_ = dir_.path() / "backups";
  markers_ = dir_.path() / "markers";
  std::filesystem::create_directories(markers_);
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);
  std::filesystem::permissions(markers_, std::filesystem::perms::all);
  const CommandResult nodes = kubectl({"get", "nodes", "-o", "name"});
  ASSERT_EQ(nodes.exit_code, 0) << "the real cluster does not answer: " << nodes.describe();
}

void RealClusterTest::TearDown() {
  for (const auto& ns : namespaces_) {
    kubectl({"delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=120s"});
  }
  // Volumes restored from a backup in this test (cluster-scoped, so not in a namespace).
  kubectl({"delete", "pv", "-l", "stillpoint-test=" + std::to_string(::getpid()),
           "--ignore-not-found"});
}

std::string RealClusterTest::new_namespace() {
  static int counter = 0;
  static std::mt19937 random{std::random_device{}()};
  std::string ns = "rc-" + std::to_string(++counter) + "-";
  for (int i = 0; i < 6; ++i) ns += "abcdefghijklmnopqrstuvwxyz0123456789"[random() % 36];
  namespaces_.push_back(ns);
  return ns;
}

CommandResult RealClusterTest::kubectl(const std::vector<std::string>& args,
                                       const std::string& input, std::chrono::seconds timeout) {
  std::vector<std::string> argv{"kubectl", "--kubeconfig=" + kubeconfig_.string(),
                                "--cache-dir=" + (dir_.path() / "kubectl-cache").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, input, timeout);
}

void RealClusterTest::apply(const std::string& yaml) {
  const CommandResult r = kubectl({"apply", "-f", "-"}, yaml);
  ASSERT_EQ(r.exit_code, 0) << r.describe() << "\n" << yaml;
}

void RealClusterTest::wait_ready(const std::string& ns, const std::string& pod,
                                 std::chrono::seconds timeout) {
  const CommandResult r =
      kubectl({"wait", "-n", ns, "--for=condition=Ready", "pod/" + pod,
               "--timeout=" + std::to_string(timeout.count()) + "s"},
              "", timeout + std::chrono::seconds(30));
  if (r.exit_code != 0) {
    const CommandResult why = kubectl({"describe", "pod", "-n", ns, pod});
    FAIL() << r.describe() << "\n" << why.out;
  }
}

void RealClusterTest::delete_namespace(const std::string& ns) {
  const CommandResult r =
      kubectl({"delete", "namespace", ns, "--wait=true", "--timeout=180s"}, "",
              std::chrono::seconds(200));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
}

std::string RealClusterTest::exec(const std::string& ns, const std::string& pod,
                                  const std::string& container, const std::string& script) {
  const CommandResult r =
      kubectl({"exec", "-n", ns, pod, "-c", container, "--", "sh", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return r.out;
}

nlohmann::json RealClusterTest::get(const std::string& ns, const std::string& what) {
  std::vector<std::string> args{"get", what, "-o", "json"};
  if (!ns.empty()) {
    args.push_back("-n");
    args.push_back(ns);
  }
  const CommandResult r = kubectl(args);
  if (r.exit_code != 0)
    return nullptr;
  return nlohmann::json::parse(r.out, nullptr, false);
}

CommandResult RealClusterTest::stillpoint(std::vector<std::string> args, bool cluster) {
  std::vector<std::string> argv{STILLPOINT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--storage=" + storage_.string());
  if (cluster)
    argv.push_back("--kubeconfig=" + kubeconfig_.string());
  return run_command(argv, "", std::chrono::seconds(300));
}

nlohmann::json RealClusterTest::backup_object(const std::string& backup) {
  const std::string text = read_file(storage_ / "backups" / backup / "velero-backup.json");
  auto j = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "velero-backup.json of " << backup << ": " << text;
  return j;
}

nlohmann::json RealClusterTest::restore_object(const std::string& restore) {
  const CommandResult r = stillpoint({"restore", "get", restore, "-o", "json"}, false);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  auto list = nlohmann::json::parse(r.out, nullptr, false);
  if (!list.is_object() || list["items"].size() != 1)
    return nlohmann::json::object();
  return list["items"][0];
}

std::vector<std::string> RealClusterTest::tarball_entries(const std::string& backup) {
  const auto path = storage_ / "backups" / backup / (backup + ".tar.gz");
  const CommandResult r = run_command({"tar", "tzf", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::vector<std::string> entries;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) entries.push_back(line);
  return entries;
}

std::string RealClusterTest::read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path RealClusterTest::write_file(const std::string& name,
                                                  const std::string& text) {
  const auto path = dir_.path() / name;
  std::ofstream(path) << text;
  return path;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace stillpoint::realcluster
