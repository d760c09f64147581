// PodExec: the one seam between the hook engine and a running pod.
//
// The hook engine decides what runs, where, in what order and with what timeout; PodExec only
// runs one command in one container and reports how it ended. kube::WebSocketPodExec
// implements it over the Kubernetes exec API; tests use tests/fakes/fake_pod_exec.h.
//
// Contract:
// - A command that ran and exited non-zero is a *value* (ExecResult::exit_code != 0), not an
//   error. Errors are for commands that could not be run or whose outcome is unknown:
//   NotFound (pod or container missing), InvalidArgument (pod not running, bad request),
//   Unavailable (connection failed or dropped), Protocol (malformed server response).
// - Cancellation (the awaiting operation is cancelled, e.g. by a timeout racing it with
//   awaitable operators) closes the exec stream and completes with ErrorCode::Cancelled.
//   Closing the stream ends the session, not the remote process: a container runtime keeps
//   an exec'd process running after its stream is gone, so a caller that must stop the
//   command does so explicitly (hooks/timed_out_command.h).
// - stdout and stderr are captured up to `output_limit` bytes each; the rest is dropped and
//   marked truncated, so a chatty hook cannot exhaust memory.
// - Streaming (volume data): with `stdout_sink`, stdout is handed over chunk by chunk instead
//   of captured, and no more is read until the sink's awaitable completes — a slow sink slows
//   the remote process down (backpressure), memory stays bounded. With `stdin_source`, stdin
//   is pulled from it until it yields an empty string (then stdin is closed). An error from
//   either ends the session (the stream is closed; as with cancellation, the remote process
//   is not stopped by that) and is the result.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"

namespace stillpoint::hooks {

inline constexpr size_t kDefaultExecOutputLimit = 64 * 1024;

// Receives one piece of the command's stdout; awaited before more is read.
using ExecSink = std::function<boost::asio::awaitable<core::Status>(std::string_view)>;
// Yields the next piece of stdin; an empty string ends it.
using ExecSource = std::function<boost::asio::awaitable<core::Result<std::string>>()>;

struct ExecRequest {
  std::string namespace_name;
  std::string pod;
  std::string container;
  std::vector<std::string> command;
  std::optional<std::string> stdin_data;  // nullopt: no stdin stream (unless stdin_source)
  size_t output_limit = kDefaultExecOutputLimit;
  ExecSource stdin_source;  // streamed stdin; excludes stdin_data
  // The command stops reading stdin by itself after the data (e.g. `head -c N | tar -x`), so
  // stdin need not be closed: allowed on servers that speak only v4.channel.k8s.io (before
  // 1.30), where closing stdin is impossible. Without it, stdin on such a server is an error.
  bool stdin_self_delimited = false;
  ExecSink stdout_sink;     // streamed stdout: not captured in ExecResult
};

struct ExecResult {
  int exit_code = 0;
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
};

class PodExec {
 public:
  virtual ~PodExec() = default;
  virtual boost::asio::awaitable<core::Result<ExecResult>> exec(ExecRequest request) = 0;
};

}  // namespace stillpoint::hooks
