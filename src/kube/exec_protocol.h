// The Kubernetes exec channel protocol over WebSocket (v5.channel.k8s.io and
// v4.channel.k8s.io), as pure code: the request target, subprotocol negotiation, outgoing
// stdin messages, and ExecOutput, which demultiplexes server messages and turns the channel-3
// Status into an exit code or an error. No sockets here; exec_session.h drives it.
// Wire facts: reference/kubernetes-wire-protocol.md §1.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "hooks/pod_exec.h"

namespace stillpoint::kube {

// Both in one header line, v5 first: a ≥1.30 apiserver answers v5 (stdin can be closed),
// older ones proxy to the kubelet, which answers v4.
inline constexpr std::string_view kExecSubprotocols = "v5.channel.k8s.io, v4.channel.k8s.io";
// Messages of at most this much stdin each, as client-go writes; never fragmented.
inline constexpr size_t kStdinChunk = 32 * 1024;

enum class ExecProtocol { V4, V5 };

inline constexpr unsigned char kStdinChannel = 0;
inline constexpr unsigned char kStdoutChannel = 1;
inline constexpr unsigned char kStderrChannel = 2;
inline constexpr unsigned char kStatusChannel = 3;
inline constexpr unsigned char kResizeChannel = 4;
inline constexpr unsigned char kCloseChannel = 255;

// "/api/v1/namespaces/ns/pods/p/exec?command=…&container=…&stdin=true&stdout=true&stderr=true"
std::string exec_target(const hooks::ExecRequest& request);

// The protocol the server echoed, which must be one we offered. Errors: Protocol.
core::Result<ExecProtocol> negotiated_protocol(std::string_view echoed);

// One stdin message: channel byte 0 + data.
std::string stdin_message(std::string_view data);
// v5 only: close stdin, exactly FF 00.
std::string close_stdin_message();

// A handshake that did not upgrade, as an error per PodExec's contract: 404 NotFound, 400
// InvalidArgument, 403 with an empty body = no common subprotocol (Protocol), other 403
// Forbidden, the kubelet's 500 "container not found" = InvalidArgument (not running),
// other 5xx Unavailable.
core::Error handshake_error(int http_status, std::string_view body);

class ExecOutput {
 public:
  explicit ExecOutput(size_t output_limit) : limit_(output_limit) {}

  // One complete server message (channel byte + payload). Empty payloads (the "ready" frame)
  // are ignored. Errors: Protocol for an empty message or an unknown channel.
  core::Status on_message(std::string_view message);

  bool status_received() const { return !status_.empty(); }

  // The outcome once the stream has ended. `clean_close` = the server sent a close frame; an
  // abrupt end without a Status means the outcome is unknown (Unavailable). A Status other
  // than Success / NonZeroExitCode becomes an error (InternalError "container not found" →
  // InvalidArgument, the pod is not running).
  core::Result<hooks::ExecResult> finish(bool clean_close);

  const std::string& stdout_data() const { return result_.stdout_data; }

 private:
  void append(std::string& target, bool& truncated, std::string_view data);

  size_t limit_;
  hooks::ExecResult result_;
  std::string status_;
};

// The exit code of a channel-3 Status: Success → 0, NonZeroExitCode → its ExitCode cause.
// Errors as ExecOutput::finish describes.
core::Result<int> exit_code_from_status(std::string_view status_json);

}  // namespace stillpoint::kube
