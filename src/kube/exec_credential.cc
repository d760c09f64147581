#include "kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "kube/base64.h"

extern char** environ;

namespace stillpoint::kube {
namespace {

using core::ErrorCode;
using core::unexpected;
using nlohmann::json;

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
  }
  return v;
}

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

}  // namespace

core::Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  auto bad = [&] {
    return unexpected(ErrorCode::InvalidArgument,
                      core::go_quote(text) + " is not an RFC 3339 timestamp");
  };
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  const std::string_view parts[] = {text.substr(0, 4),  text.substr(5, 2),  text.substr(8, 2),
                                    text.substr(11, 2), text.substr(14, 2), text.substr(17, 2)};
  for (auto p : parts) {
    if (!all_digits(p)) {
      return bad();
    }
  }
  std::tm tm{};
  tm.tm_year = to_int(parts[0]) - 1900;
  tm.tm_mon = to_int(parts[1]) - 1;
  tm.tm_mday = to_int(parts[2]);
  tm.tm_hour = to_int(parts[3]);
  tm.tm_min = to_int(parts[4]);
  tm.tm_sec = to_int(parts[5]);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return bad();
  }
  std::string_view rest = text.substr(19);
  std::chrono::nanoseconds fraction{0};
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    int64_t ns = 0;
    int digits = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      if (digits < 9) {
        ns = ns * 10 + (rest[n] - '0');
        ++digits;
      }
      ++n;
    }
    if (n == 1) {
      return bad();
    }
    for (; digits < 9; ++digits) {
      ns *= 10;
    }
    fraction = std::chrono::nanoseconds(ns);
    rest = rest.substr(n);
  }
  int offset_seconds = 0;
  if (rest == "Z" || rest == "z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             all_digits(rest.substr(1, 2)) && all_digits(rest.substr(4, 2))) {
    offset_seconds = (to_int(rest.substr(1, 2)) * 3600 + to_int(rest.substr(4, 2)) * 60) *
                     (rest[0] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  const time_t seconds = timegm(&tm) - offset_seconds;
  return std::chrono::system_clock::from_time_t(seconds) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

core::Result<ExecCredential> parse_exec_credential(std::string_view output,
                                                   std::string_view api_version) {
  json doc = json::parse(output.begin(), output.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(ErrorCode::Protocol, "exec plugin output is not a JSON object");
  }
  if (doc.value("kind", "") != "ExecCredential") {
    return unexpected(ErrorCode::Protocol, "exec plugin output: kind is not ExecCredential");
  }
  if (doc.value("apiVersion", "") != api_version) {
    return unexpected(ErrorCode::Protocol, "exec plugin output: apiVersion " +
                                               core::go_quote(doc.value("apiVersion", "")) +
                                               " does not match the configured " +
                                               core::go_quote(api_version));
  }
  const auto status = doc.find("status");
  if (status == doc.end() || !status->is_object()) {
    return unexpected(ErrorCode::Protocol, "exec plugin output: status is missing");
  }
  ExecCredential out;
  auto str = [&](const char* key) -> std::optional<std::string> {
    auto it = status->find(key);
    if (it == status->end() || !it->is_string() || it->get<std::string>().empty()) {
      return std::nullopt;
    }
    return it->get<std::string>();
  };
  out.token = str("token");
  out.client_certificate_pem = str("clientCertificateData");
  out.client_key_pem = str("clientKeyData");
  if (out.client_certificate_pem.has_value() != out.client_key_pem.has_value()) {
    return unexpected(
        ErrorCode::Protocol,
        "exec plugin output: clientCertificateData and clientKeyData must both be set");
  }
  if (!out.token && !out.client_certificate_pem) {
    return unexpected(ErrorCode::Protocol,
                      "exec plugin output: status has neither a token nor a client certificate");
  }
  if (auto expiry = str("expirationTimestamp")) {
    auto t = parse_rfc3339(*expiry);
    if (!t) {
      return unexpected(ErrorCode::Protocol,
                        "exec plugin output: expirationTimestamp: " + t.error().message);
    }
    out.expiry = *t;
  }
  return out;
}

std::string exec_info_json(const ExecPluginConfig& plugin, const ClusterEndpoint& cluster) {
  json spec = {{"interactive", false}};
  if (plugin.provide_cluster_info) {
    json c = {{"server", cluster.server}};
    if (!cluster.tls_server_name.empty()) {
      c["tls-server-name"] = cluster.tls_server_name;
    }
    if (cluster.insecure_skip_tls_verify) {
      c["insecure-skip-tls-verify"] = true;
    }
    if (!cluster.ca_pem.empty()) {
      c["certificate-authority-data"] = base64_encode(cluster.ca_pem);
    }
    spec["cluster"] = std::move(c);
  }
  return json{{"kind", "ExecCredential"}, {"apiVersion", plugin.api_version}, {"spec", spec}}
      .dump();
}

core::Result<ExecCredential> run_exec_plugin(const ExecPluginConfig& plugin,
                                             const ClusterEndpoint& cluster) {
  const std::string name = core::go_quote(plugin.command);
  if (plugin.interactive_mode == "Always") {
    return unexpected(ErrorCode::InvalidArgument,
                      "exec plugin " + name +
                          " requires an interactive terminal (interactiveMode: Always); stillpoint "
                          "runs plugins non-interactively");
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool overridden = entry.starts_with("KUBERNETES_EXEC_INFO=");
    for (const auto& [k, v] : plugin.env) {
      overridden = overridden || entry.starts_with(k + "=");
    }
    if (!overridden) {
      env_strings.emplace_back(entry);
    }
  }
  for (const auto& [k, v] : plugin.env) {
    env_strings.push_back(k + "=" + v);
  }
  env_strings.push_back("KUBERNETES_EXEC_INFO=" + exec_info_json(plugin, cluster));
  std::vector<char*> envp;
  for (auto& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{plugin.command};
  argv_strings.insert(argv_strings.end(), plugin.args.begin(), plugin.args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return unexpected(ErrorCode::Io, std::string("exec plugin: pipe: ") + std::strerror(errno));
  }
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return unexpected(ErrorCode::Io, std::string("exec plugin: pipe: ") + std::strerror(errno));
  }
  Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
  // The plugin gets stdin/stdout/stderr only: no API connections or other descriptors.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = -1;
  const int rc =
      ::posix_spawnp(&pid, plugin.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::string message = "exec plugin " + name + ": " + std::strerror(rc);
    if (!plugin.install_hint.empty()) {
      message += "\n" + plugin.install_hint;
    }
    return unexpected(rc == ENOENT ? ErrorCode::NotFound : ErrorCode::Unavailable, message);
  }
  ::close(out_write.fd);
  out_write.fd = -1;
  ::close(err_write.fd);
  err_write.fd = -1;

  std::string out, err;
  const auto deadline = std::chrono::steady_clock::now() + kExecPluginTimeout;
  bool timed_out = false;
  bool too_long = false;
  pollfd fds[2] = {{out_read.fd, POLLIN, 0}, {err_read.fd, POLLIN, 0}};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      char buf[4096];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        fds[i].fd = -1;
        continue;
      }
      std::string& target = i == 0 ? out : err;
      target.append(buf, static_cast<size_t>(got));
      if (target.size() > kExecPluginOutputLimit) {
        too_long = true;
        fds[0].fd = fds[1].fd = -1;
      }
    }
  }
  if (timed_out || too_long) {
    ::kill(pid, SIGKILL);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  std::string err_tail = err.size() > kExecPluginStderrInError
                             ? err.substr(err.size() - kExecPluginStderrInError)
                             : err;
  while (!err_tail.empty() && (err_tail.back() == '\n' || err_tail.back() == '\r')) {
    err_tail.pop_back();
  }
  const std::string stderr_note = err_tail.empty() ? "" : "; stderr: " + err_tail;
  if (timed_out) {
    return unexpected(ErrorCode::Unavailable, "exec plugin " + name + " did not finish within " +
                                                  std::to_string(kExecPluginTimeout.count()) + "s" +
                                                  stderr_note);
  }
  if (too_long) {
    return unexpected(ErrorCode::Protocol, "exec plugin " + name + " wrote more than " +
                                               std::to_string(kExecPluginOutputLimit) + " bytes");
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    const std::string how = WIFEXITED(wstatus) ? "exit code " + std::to_string(WEXITSTATUS(wstatus))
                                               : "signal " + std::to_string(WTERMSIG(wstatus));
    return unexpected(ErrorCode::Unavailable,
                      "exec plugin " + name + " failed with " + how + stderr_note);
  }
  auto credential = parse_exec_credential(out, plugin.api_version);
  if (!credential) {
    return unexpected(credential.error().code,
                      "exec plugin " + name + ": " + credential.error().message);
  }
  return credential;
}

}  // namespace stillpoint::kube
