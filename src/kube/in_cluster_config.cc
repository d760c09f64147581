#include "kube/in_cluster_config.h"

#include <filesystem>
#include <vector>

#include "core/documents.h"
#include "core/text.h"

namespace stillpoint::kube {
namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  const auto last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

}  // namespace

bool in_cluster_available(const EnvLookup& env) {
  return env("KUBERNETES_SERVICE_HOST").value_or("") != "" &&
         env("KUBERNETES_SERVICE_PORT").value_or("") != "";
}

core::Result<ClientConfig> in_cluster_config(const InClusterPaths& paths) {
  const std::string host = paths.env("KUBERNETES_SERVICE_HOST").value_or("");
  const std::string port = paths.env("KUBERNETES_SERVICE_PORT").value_or("");
  std::vector<std::string> unset;
  if (host.empty())
    unset.push_back("KUBERNETES_SERVICE_HOST");
  if (port.empty())
    unset.push_back("KUBERNETES_SERVICE_PORT");
  if (!unset.empty()) {
    return core::unexpected(core::ErrorCode::NotFound,
                            "in-cluster configuration: " + core::join(unset, " and ") +
                                (unset.size() == 1 ? " is" : " are") +
                                " not set (not running in a pod?)");
  }
  ClientConfig out;
  out.source = "in-cluster";
  const bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  out.cluster.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  const fs::path dir(paths.service_account_dir);
  const std::string token_path = (dir / "token").string();
  // Read once now so that a missing token fails at start-up, naming the file; afterwards the
  // file is re-read as it rotates (CredentialSource).
  if (auto token = core::read_file(token_path); !token) {
    return core::unexpected(
        core::ErrorCode::Io,
        "in-cluster configuration: service account token: " + token.error().message);
  }
  out.user.token_file = token_path;
  if (auto ca = core::read_file((dir / "ca.crt").string()); ca) {
    out.cluster.ca_pem = std::move(*ca);
  }
  if (auto ns = paths.env("POD_NAMESPACE"); ns && !ns->empty()) {
    out.namespace_name = *ns;
  } else if (auto file = core::read_file((dir / "namespace").string());
             file && !trim(*file).empty()) {
    out.namespace_name = trim(*file);
  }
  return out;
}

}  // namespace stillpoint::kube
