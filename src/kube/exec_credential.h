// Exec credential plugins (client.authentication.k8s.io v1/v1beta1): run the configured
// command with KUBERNETES_EXEC_INFO, read an ExecCredential from its stdout. This file runs a
// plugin once; caching and refresh live in CredentialSource.
//
// run_exec_plugin blocks the calling thread until the plugin exits (or kExecPluginTimeout);
// plugins are run rarely (once per credential lifetime), like client-go does synchronously.
// The plugin's stdin is /dev/null: stillpoint never runs it interactively.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "kube/client_config.h"

namespace stillpoint::kube {

// Long enough for a browser-less SSO plugin to reach its identity provider; a plugin stuck
// longer than this is killed so a backup does not hang on authentication.
inline constexpr auto kExecPluginTimeout = std::chrono::seconds(60);
// Enough for any ExecCredential (a token or a PEM pair); more is a misbehaving plugin.
inline constexpr size_t kExecPluginOutputLimit = 1024 * 1024;
// How much of a failing plugin's stderr is quoted in the error.
inline constexpr size_t kExecPluginStderrInError = 4096;

struct ExecCredential {
  std::optional<std::string> token;
  std::optional<std::string> client_certificate_pem;  // PEM text, not base64
  std::optional<std::string> client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;  // nullopt: never expires
};

// RFC 3339 ("2026-07-24T15:04:05Z", fractional seconds and offsets allowed).
core::Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// Parses plugin output; `api_version` is what the kubeconfig asked for and must match.
core::Result<ExecCredential> parse_exec_credential(std::string_view output,
                                                   std::string_view api_version);

// The KUBERNETES_EXEC_INFO value for this plugin.
std::string exec_info_json(const ExecPluginConfig& plugin, const ClusterEndpoint& cluster);

// Errors: NotFound when the command does not exist (with the install hint), Unavailable when it
// fails or times out (with its stderr), Protocol when its output is not a valid ExecCredential,
// InvalidArgument for interactiveMode: Always.
core::Result<ExecCredential> run_exec_plugin(const ExecPluginConfig& plugin,
                                             const ClusterEndpoint& cluster);

}  // namespace stillpoint::kube
