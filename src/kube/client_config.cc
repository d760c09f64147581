#include "kube/client_config.h"

namespace stillpoint::kube {

std::string redact(std::string_view secret) {
  return "<redacted, " + std::to_string(secret.size()) + " bytes>";
}

std::string describe(const ClientConfig& config) {
  std::string out;
  out += "source: " + config.source + "\n";
  if (!config.context.empty()) {
    out += "context: " + config.context + "\n";
  }
  out += "server: " + config.cluster.server + "\n";
  out += "namespace: " + config.namespace_name + "\n";
  if (config.cluster.insecure_skip_tls_verify) {
    out += "tls: verification disabled (insecure-skip-tls-verify)\n";
  } else {
    out += config.cluster.ca_pem.empty() ? "tls: system trust store\n"
                                         : "tls: certificate authority from config\n";
  }
  if (!config.cluster.tls_server_name.empty()) {
    out += "tls-server-name: " + config.cluster.tls_server_name + "\n";
  }
  const UserCredentials& u = config.user;
  std::string auth;
  if (u.exec) {
    auth = "exec plugin " + u.exec->command + " (" + u.exec->api_version + ")";
  } else if (u.token_file) {
    auth = "token file " + *u.token_file;
  } else if (u.token) {
    auth = "bearer token " + redact(*u.token);
  } else if (u.username) {
    auth = "basic auth as " + *u.username;
  }
  if (u.client_certificate_pem) {
    auth += std::string(auth.empty() ? "" : " + ") + "client certificate";
  }
  out += "auth: " + (auth.empty() ? std::string("none") : auth) + "\n";
  return out;
}

}  // namespace stillpoint::kube
