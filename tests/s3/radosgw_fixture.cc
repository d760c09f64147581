#include "radosgw_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace stillpoint::s3test {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

std::map<std::string, std::string> read_env_file(const std::filesystem::path& path) {
  std::map<std::string, std::string> vars;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      continue;
    vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return vars;
}

}  // namespace

CommandOutput run_command(const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& arg : argv)
    command += shell_quote(arg) + " ";
  command += "2>&1 </dev/null";
  CommandOutput result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    result.output = "popen failed";
    return result;
  }
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
    result.output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::filesystem::path RadosGw::script() {
  return STILLPOINT_RADOSGW_SCRIPT;
}

core::Result<std::unique_ptr<RadosGw>> RadosGw::start(bool tls) {
  // Short on purpose: admin sockets live in the directory and a Unix socket path is capped
  // at 107 bytes.
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rgw-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::unexpected(core::ErrorCode::Io, "mkdtemp " + pattern + " failed");
  }
  std::unique_ptr<RadosGw> gw(new RadosGw(pattern));

  std::vector<std::string> argv{script().string(), "start", gw->dir_.string(), "--watch",
                                std::to_string(::getpid())};
  if (tls)
    argv.push_back("--tls");
  const CommandOutput r = run_command(argv);
  if (r.exit_code != 0) {
    const std::string message =
        "radosgw start failed (exit " + std::to_string(r.exit_code) + "):\n" + r.output;
    (void)gw->stop();
    return core::unexpected(core::ErrorCode::Unavailable, message);
  }

  auto vars = read_env_file(gw->dir_ / "env");
  gw->endpoint_ = vars["S3_ENDPOINT"];
  gw->access_key_ = vars["AWS_ACCESS_KEY_ID"];
  gw->secret_key_ = vars["AWS_SECRET_ACCESS_KEY"];
  gw->region_ = vars["AWS_REGION"];
  if (tls) {
    gw->tls_endpoint_ = vars["S3_TLS_ENDPOINT"];
    gw->ca_file_ = vars["S3_CA_FILE"];
  }
  if (gw->endpoint_.empty() || gw->access_key_.empty() || gw->secret_key_.empty() ||
      gw->region_.empty() || (tls && (gw->tls_endpoint_.empty() || gw->ca_file_.empty()))) {
    return core::unexpected(core::ErrorCode::Protocol,
                            "incomplete " + (gw->dir_ / "env").string() + " after: " + r.output);
  }
  return gw;
}

RadosGw::~RadosGw() {
  (void)stop();
}

core::Status RadosGw::stop() {
  if (stopped_)
    return core::ok();
  const CommandOutput r = run_command({script().string(), "stop", dir_.string()});
  if (r.exit_code != 0) {
    return core::unexpected(core::ErrorCode::Internal, "radosgw stop failed: " + r.output);
  }
  stopped_ = true;
  return core::ok();
}

core::Status RadosGw::create_bucket(const std::string& name) const {
  if (name.size() < 3 || name.size() > 63) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "bucket name '" + name + "': S3 needs 3-63 characters");
  }
  const CommandOutput r = run_command({script().string(), "mb", dir_.string(), name});
  if (r.exit_code != 0) {
    return core::unexpected(core::ErrorCode::Unavailable, trim(r.output));
  }
  return core::ok();
}

std::vector<pid_t> RadosGw::pids() const {
  std::vector<pid_t> pids;
  const CommandOutput r = run_command({script().string(), "pids", dir_.string()});
  std::istringstream in(r.output);
  for (pid_t pid; in >> pid;)
    pids.push_back(pid);
  return pids;
}

core::Result<RadosGw*> shared_radosgw(bool tls) {
  // Destroyed at exit, which stops the cluster; the script's watchdog covers abnormal exits.
  static std::map<bool, core::Result<std::unique_ptr<RadosGw>>> started;
  auto it = started.find(tls);
  if (it == started.end())
    it = started.emplace(tls, RadosGw::start(tls)).first;
  if (!it->second)
    return core::unexpected(it->second.error());
  return it->second->get();
}

}  // namespace stillpoint::s3test
