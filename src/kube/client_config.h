// ClientConfig: everything needed to talk to one API server as one user, after kubeconfig
// merging or in-cluster discovery has been resolved. File references are already read (CA,
// client certificate and key) except the ones that must be re-read while running: a
// `tokenFile` (rotated by the kubelet) and exec credential plugins (run on demand).
//
// Secrets live in here as plain strings; describe() and redact() are the only ways they are
// meant to reach text, and both hide them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stillpoint::kube {

inline constexpr std::string_view kDefaultNamespace = "default";

// `user.exec` of a kubeconfig (client.authentication.k8s.io v1 or v1beta1).
struct ExecPluginConfig {
  std::string api_version;
  std::string command;  // absolute when the kubeconfig gave a path, else looked up on PATH
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
  std::string interactive_mode;                          // Never | IfAvailable | Always
  bool provide_cluster_info = false;
  std::string install_hint;
};

struct ClusterEndpoint {
  std::string server;  // https://host:port[/prefix]
  std::string ca_pem;  // empty: the system's trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;  // SNI and verification name when set
};

struct UserCredentials {
  std::optional<std::string> token;
  std::optional<std::string> token_file;  // re-read periodically; wins over `token`
  std::optional<std::string> client_certificate_pem;
  std::optional<std::string> client_key_pem;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<ExecPluginConfig> exec;
};

struct ClientConfig {
  ClusterEndpoint cluster;
  UserCredentials user;
  std::string namespace_name{kDefaultNamespace};
  std::string context;  // the context used; empty for in-cluster
  std::string source;   // where it came from, for messages: "kubeconfig /x/config", "in-cluster"
};

// "<redacted, N bytes>": the shape of a secret without its content.
std::string redact(std::string_view secret);

// One line per field a user may want to check (server, CA source, which credential kind),
// never a secret value.
std::string describe(const ClientConfig& config);

}  // namespace stillpoint::kube
