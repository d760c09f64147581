#include "kube/exec_protocol.h"

#include <charconv>

#include "kube/api_status.h"
#include "kube/url_query.h"

namespace stillpoint::kube {

using core::ErrorCode;
using core::unexpected;

// The status channel carries one small JSON document; more is a broken server.
constexpr size_t kMaxStatusBytes = 64 * 1024;

std::string exec_target(const hooks::ExecRequest& request) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& arg : request.command) {
    params.emplace_back("command", arg);
  }
  if (!request.container.empty()) {
    params.emplace_back("container", request.container);
  }
  if (request.stdin_data || request.stdin_source) {
    params.emplace_back("stdin", "true");
  }
  params.emplace_back("stdout", "true");
  params.emplace_back("stderr", "true");
  return "/api/v1/namespaces/" + percent_encode(request.namespace_name) + "/pods/" +
         percent_encode(request.pod) + "/exec" + query_string(params);
}

core::Result<ExecProtocol> negotiated_protocol(std::string_view echoed) {
  if (echoed == "v5.channel.k8s.io") {
    return ExecProtocol::V5;
  }
  if (echoed == "v4.channel.k8s.io") {
    return ExecProtocol::V4;
  }
  return unexpected(ErrorCode::Protocol, "exec: the server chose subprotocol \"" +
                                             std::string(echoed) + "\", which was not offered (" +
                                             std::string(kExecSubprotocols) + ")");
}

std::string stdin_message(std::string_view data) {
  std::string m(1, static_cast<char>(kStdinChannel));
  m.append(data);
  return m;
}

std::string close_stdin_message() {
  return std::string{static_cast<char>(kCloseChannel), static_cast<char>(kStdinChannel)};
}

core::Error handshake_error(int http_status, std::string_view body) {
  if (http_status == 403 && body.empty()) {
    return core::Error{ErrorCode::Protocol, "exec: the server accepts none of the subprotocols " +
                                                std::string(kExecSubprotocols) + " (HTTP 403)"};
  }
  core::Error e = error_from_response(http_status, body);
  if (http_status >= 500 && body.find("container not found") != std::string_view::npos) {
    e.code = ErrorCode::InvalidArgument;  // the kubelet's answer for a container not running
  }
  e.message = "exec: unable to upgrade connection: " + e.message;
  return e;
}

void ExecOutput::append(std::string& target, bool& truncated, std::string_view data) {
  const size_t room = target.size() < limit_ ? limit_ - target.size() : 0;
  if (data.size() > room) {
    truncated = true;
    data = data.substr(0, room);
  }
  target.append(data);
}

core::Status ExecOutput::on_message(std::string_view message) {
  if (message.empty()) {
    return unexpected(ErrorCode::Protocol, "exec: empty message without a channel byte");
  }
  const auto channel = static_cast<unsigned char>(message[0]);
  const std::string_view data = message.substr(1);
  switch (channel) {
    case kStdoutChannel:
      append(result_.stdout_data, result_.stdout_truncated, data);
      return core::ok();
    case kStderrChannel:
      append(result_.stderr_data, result_.stderr_truncated, data);
      return core::ok();
    case kStatusChannel:
      if (status_.size() + data.size() > kMaxStatusBytes) {
        return unexpected(ErrorCode::Protocol, "exec: status channel larger than 64 KiB");
      }
      status_.append(data);
      return core::ok();
    case kCloseChannel:
      return core::ok();  // servers do not send it; tolerated as the Python client does
    default:
      return unexpected(ErrorCode::Protocol,
                        "exec: message on unknown channel " + std::to_string(channel));
  }
}

core::Result<int> exit_code_from_status(std::string_view status_json) {
  auto status = parse_status(status_json);
  if (!status) {
    return unexpected(ErrorCode::Protocol, "exec: the status channel does not hold a Status");
  }
  if (status->status == "Success") {
    return 0;
  }
  if (status->reason == "NonZeroExitCode") {
    if (status->details.is_object() && status->details.contains("causes") &&
        status->details["causes"].is_array()) {
      for (const auto& cause : status->details["causes"]) {
        if (cause.is_object() && cause.value("reason", "") == "ExitCode" &&
            cause.contains("message") && cause["message"].is_string()) {
          const std::string text = cause["message"].get<std::string>();
          int code = -1;
          auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
          if (ec == std::errc() && p == text.data() + text.size() && code >= 0 && code <= 255) {
            return code;
          }
        }
      }
    }
    return unexpected(
        ErrorCode::Protocol,
        "exec: NonZeroExitCode status without a valid ExitCode cause: " + status->message);
  }
  ErrorCode code = ErrorCode::Unavailable;
  if (status->message.find("container not found") != std::string::npos) {
    code = ErrorCode::InvalidArgument;
  } else if (status->reason == "NotFound") {
    code = ErrorCode::NotFound;
  } else if (status->reason == "Forbidden") {
    code = ErrorCode::Forbidden;
  } else if (status->reason == "BadRequest" || status->reason == "Invalid") {
    code = ErrorCode::InvalidArgument;
  }
  return unexpected(code, "exec: " + (status->message.empty() ? status->reason : status->message));
}

core::Result<hooks::ExecResult> ExecOutput::finish(bool clean_close) {
  if (status_.empty()) {
    if (!clean_close) {
      return unexpected(ErrorCode::Unavailable,
                        "exec: the stream ended before the command's exit status arrived");
    }
    return result_;  // an empty status channel means success (client-go)
  }
  auto code = exit_code_from_status(status_);
  if (!code) {
    return unexpected(code.error());
  }
  result_.exit_code = *code;
  return result_;
}

}  // namespace stillpoint::kube
