// CredentialSource: what to authenticate the next request with, kept fresh.
//
// - token files (kubeconfig `tokenFile`, in-cluster service account) are re-read at most every
//   kTokenFileRefresh and after a 401, because the kubelet rotates projected tokens;
// - exec plugin credentials are cached until their expirationTimestamp and re-obtained after a
//   401 (once per credential generation, so a burst of 401s runs the plugin once);
// - static tokens, basic auth and client certificates are returned as configured.
//
// Thread-safe: any number of connections may call current() and rejected() concurrently.
// current() may run an exec plugin synchronously (see exec_credential.h) under the lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"
#include "kube/client_config.h"
#include "kube/exec_credential.h"

namespace stillpoint::kube {

// client-go's cached file token source period.
inline constexpr auto kTokenFileRefresh = std::chrono::seconds(60);

struct AuthMaterial {
  std::optional<std::string> authorization;  // full header value: "Bearer …" / "Basic …"
  std::optional<std::string> client_certificate_pem;
  std::optional<std::string> client_key_pem;
  // Changes whenever the material changes; the transport rebuilds TLS identities and passes it
  // back to rejected() so that only the credential that failed is dropped.
  uint64_t generation = 0;
};

class CredentialSource {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using PluginRunner =
      std::function<core::Result<ExecCredential>(const ExecPluginConfig&, const ClusterEndpoint&)>;

  explicit CredentialSource(ClientConfig config,
                            Clock clock = &std::chrono::system_clock::now,
                            PluginRunner runner = &run_exec_plugin);

  // Errors: the plugin's or token file's error (see run_exec_plugin).
  core::Result<AuthMaterial> current();

  // The server answered 401 to a request made with `generation`: drop that credential so the
  // next current() re-reads the token file or re-runs the plugin. Returns true when a retry
  // may succeed (something can be refreshed), false for static credentials.
  bool rejected(uint64_t generation);

 private:
  core::Result<AuthMaterial> refresh_locked();

  const ClientConfig config_;
  Clock clock_;
  PluginRunner runner_;
  std::mutex mutex_;
  std::optional<AuthMaterial> cached_;
  std::optional<std::chrono::system_clock::time_point> valid_until_;
  std::optional<std::string> last_file_token_;
  uint64_t generation_ = 0;
};

}  // namespace stillpoint::kube
