#include "server_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

extern char** environ;

namespace stillpoint::e2e {

using nlohmann::json;
namespace fs = std::filesystem;

ServerProcess::ServerProcess(std::vector<std::string> args, const fs::path& log) : log_(log) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

int ServerProcess::stop(int signal) {
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string ServerProcess::log() const {
  std::ifstream in(log_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string read_crds(const std::string& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(STILLPOINT_SOURCE_DIR) / "deploy" / folder)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files) {
    std::ifstream in(f);
    all += std::string(std::istreambuf_iterator<char>(in), {}) + "\n---\n";
  }
  return all;
}

std::string pod_yaml(const std::string& ns, const std::string& name, const std::string& labels,
                     const std::string& annotations, const std::string& markers) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels: {" + labels + "}\n  annotations: {" + annotations +
         "}\nspec:\n  containers:\n  - name: app\n    image: debian\n"
         "    volumeMounts:\n    - {name: markers, mountPath: /markers}\n"
         "  volumes:\n  - name: markers\n    hostPath: {path: " +
         markers + "}\n---\n";
}

void ServerE2eTest::SetUp() {
  apply(read_crds());
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: stillpoint}\n");
}

std::unique_ptr<ServerProcess> ServerE2eTest::start_server(const std::string& log_name,
                                                           std::vector<std::string> extra) {
  std::vector<std::string> args{STILLPOINT_BINARY, "server",
                                "--kubeconfig=" + sim_.server().kubeconfig_path().string(),
                                "--storage=" + storage_.string(), "--namespace=stillpoint",
                                // Loopback and a free port: tests run side by side.
                                "--metrics-address=127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ServerProcess>(args, sim_.dir() / log_name);
}

json ServerE2eTest::get(const std::string& resource, const std::string& name) {
  const CommandResult r = sim_.kubectl({"get", resource, name, "-n", "stillpoint", "-o", "json"});
  if (r.exit_code != 0) return json();
  return json::parse(r.out, nullptr, false);
}

std::string ServerE2eTest::phase_of(const std::string& resource, const std::string& name) {
  const json o = get(resource, name);
  if (!o.is_object() || !o.contains("status")) return "";
  return o["status"].value("phase", "");
}

std::string ServerE2eTest::wait_final(const std::string& resource, const std::string& name,
                                      std::chrono::seconds timeout) {
  std::string phase;
  kubesim::testing::KubesimFixture::eventually(
      [&] {
        phase = phase_of(resource, name);
        return phase == "Completed" || phase == "PartiallyFailed" || phase == "Failed" ||
               phase == "FailedValidation";
      },
      timeout);
  return phase;
}

}  // namespace stillpoint::e2e
