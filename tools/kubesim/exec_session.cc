// pods/exec over WebSocket with the v5.channel.k8s.io and v4.channel.k8s.io subprotocols,
// byte for byte as wire reference §1 describes: pre-upgrade errors as JSON Status, 403 with an
// empty body when no subprotocol matches, the empty "ready" frame, channel-prefixed binary
// frames (never fragmented), v5 stdin close (FF 00), the channel-3 Status with the exit code,
// close 1000, then the TCP connection dropped. Output is relayed through a small channel so a
// slow client slows the process down (pipe backpressure) instead of growing memory. If the
// client goes away, the process keeps running, as containerd keeps an exec'd process after its
// stream is gone (seen on Kubernetes 1.20 with containerd 1.6.20): its stdin ends, its output
// is read and dropped, and it is reaped when it exits — or killed with its pod, or when
// kubesim stops.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "go_json.h"
#include "pod_runtime.h"
#include "server_state.h"

namespace stillpoint::kubesim {
namespace {

namespace websocket = beast::websocket;
using net::awaitable;
using Ws = websocket::stream<Stream>;
using OutChannel = net::experimental::channel<void(boost::system::error_code, std::string)>;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kChunk = 32 * 1024;
constexpr unsigned char kDone = 0xFE;  // internal marker on OutChannel: a pump reached EOF

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::string choose_protocol(std::string_view header, bool allow_v5) {
  std::vector<std::string> offered;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    offered.push_back(trim(std::string(header.substr(start, comma == std::string_view::npos ? comma : comma - start))));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (const std::string& p : offered) {
    if ((p == "v5.channel.k8s.io" && allow_v5) || p == "v4.channel.k8s.io") {
      return p;
    }
  }
  return {};
}

std::string status_frame(const nlohmann::ordered_json& status) {
  // Go's json.Marshal of metav1.Status: no kind/apiVersion, keys in struct order.
  return std::string(1, '\x03') + go_escape(status.dump());
}

nlohmann::ordered_json success_status() {
  return {{"metadata", nlohmann::json::object()}, {"status", "Success"}};
}

nlohmann::ordered_json exit_status(const std::vector<std::string>& command, int code) {
  std::string joined;
  for (const auto& c : command) joined += (joined.empty() ? "" : " ") + c;
  return {{"metadata", nlohmann::json::object()},
          {"status", "Failure"},
          {"message", "command terminated with non-zero exit code: error executing command [" +
                          joined + "], exit code " + std::to_string(code)},
          {"reason", "NonZeroExitCode"},
          {"details", {{"causes", {{{"reason", "ExitCode"}, {"message", std::to_string(code)}}}}}}};
}

nlohmann::ordered_json internal_status(const std::string& err) {
  return {{"metadata", nlohmann::json::object()},
          {"status", "Failure"},
          {"message", "Internal error occurred: " + err},
          {"reason", "InternalError"},
          {"details", {{"causes", {{{"message", err}}}}}},
          {"code", 500}};
}

awaitable<void> pump(net::posix::stream_descriptor& pipe, char channel, OutChannel& out) {
  std::string buf;
  for (;;) {
    buf.resize(kChunk + 1);
    buf[0] = channel;
    auto [ec, n] = co_await pipe.async_read_some(net::buffer(buf.data() + 1, kChunk), kTuple);
    if (ec) {
      break;
    }
    buf.resize(n + 1);
    auto [sec] = co_await out.async_send(boost::system::error_code{}, buf, kTuple);
    if (sec) {
      co_return;
    }
  }
  co_await out.async_send(boost::system::error_code{}, std::string(1, static_cast<char>(kDone)),
                          kTuple);
}

awaitable<void> writer(Ws& ws, OutChannel& out, int pumps, bool* failed, long cut_after) {
  long sent = 0;
  while (pumps > 0) {
    auto [ec, msg] = co_await out.async_receive(kTuple);
    if (ec) {
      *failed = true;
      co_return;
    }
    if (msg.size() == 1 && static_cast<unsigned char>(msg[0]) == kDone) {
      --pumps;
      continue;
    }
    if (cut_after > 0 && !*failed && sent + static_cast<long>(msg.size()) > cut_after) {
      // Injected fault: the stream stops mid-output and the connection drops.
      *failed = true;
      beast::get_lowest_layer(ws).close();
    }
    if (*failed) {
      continue;
    }
    sent += static_cast<long>(msg.size());
    auto [wec, n] = co_await ws.async_write(net::buffer(msg), kTuple);
    if (wec) {
      *failed = true;
      // Keep draining so the pumps finish; the process is killed by the caller.
    }
  }
}

// Reads client frames: stdin data, v5 stdin close, resize (ignored). Returns when the client
// closes or the connection fails.
awaitable<void> client_reader(Ws& ws, net::posix::stream_descriptor* stdin_pipe, bool v5) {
  beast::flat_buffer buf;
  for (;;) {
    buf.clear();
    auto [ec, n] = co_await ws.async_read(buf, kTuple);
    if (ec) {
      co_return;
    }
    auto data = static_cast<const unsigned char*>(buf.data().data());
    size_t size = buf.size();
    if (size == 0) {
      continue;
    }
    if (data[0] == 0 && stdin_pipe != nullptr && stdin_pipe->is_open() && size > 1) {
      auto [wec, wn] = co_await net::async_write(*stdin_pipe, net::buffer(data + 1, size - 1), kTuple);
      if (wec) {
        boost::system::error_code ignored;
        stdin_pipe->close(ignored);
      }
    } else if (data[0] == 0xFF && v5) {
      if (size != 2) {
        co_return;  // any other length is a protocol error: end the connection
      }
      if (data[1] == 0 && stdin_pipe != nullptr) {
        boost::system::error_code ignored;
        stdin_pipe->close(ignored);  // the process sees EOF
      }
    }
  }
}

awaitable<void> reject(Stream& stream, int status, std::string content_type, std::string body,
                       unsigned version) {
  Response r{status, std::move(content_type), std::move(body), {}};
  co_await write_response(stream, r, false, version);
  stream.next_layer().expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(kTuple);
}

}  // namespace

awaitable<void> serve_exec(Server::State& st, Stream stream, HttpRequest hreq,
                           long cut_after) {
  Request req = to_api_request(hreq);
  unsigned version = hreq.version();
  auto resolved = st.api.resolve(req);
  if (auto* r = std::get_if<Response>(&resolved)) {
    co_await reject(stream, r->status, r->content_type, r->body, version);
    co_return;
  }
  const Target& t = std::get<Target>(resolved);
  if (t.type->key() != "pods" || t.sub != "exec" || t.name.empty()) {
    co_await reject(stream, 400, "application/json",
                    status_body(bad_request("WebSocket upgrades are served for pods/exec only")),
                    version);
    co_return;
  }
  std::string container;
  if (auto e = st.api.exec_precheck(t, req, &container)) {
    co_await reject(stream, e->code, "application/json", status_body(*e), version);
    co_return;
  }
  bool want_stdin = req.flag("stdin");
  bool want_stdout = req.flag("stdout");
  bool want_stderr = req.flag("stderr");
  bool tty = req.flag("tty");
  if (tty) {
    want_stderr = false;  // with a TTY, stderr is not a separate stream
  }
  std::vector<std::string> command = req.params("command");
  std::string protocol = choose_protocol(hreq[http::field::sec_websocket_protocol], st.exec_v5);
  if (protocol.empty()) {
    co_await reject(stream, 403, "text/plain; charset=utf-8", "", version);
    co_return;
  }
  bool v5 = protocol == "v5.channel.k8s.io";
  ExecProblem problem = ExecProblem::None;
  std::optional<ExecTarget> target;
  if (st.runtime) {
    target = st.runtime->exec_target(t.ns, t.name, container, &problem);
  } else {
    problem = ExecProblem::NotRunning;
  }
  std::string not_running = "container not found (\"" + container + "\")";
  if (!target && !v5) {
    // The v4 path is proxied to the kubelet, whose answer is plain text.
    co_await reject(stream, 500, "text/plain; charset=utf-8", not_running, version);
    co_return;
  }

  Ws ws(std::move(stream));
  ws.set_option(websocket::stream_base::decorator(
      [protocol](websocket::response_type& res) {
        res.set(http::field::sec_websocket_protocol, protocol);
      }));
  websocket::stream_base::timeout timeouts{std::chrono::seconds(30), websocket::stream_base::none(),
                                           false};
  ws.set_option(timeouts);
  ws.binary(true);
  ws.auto_fragment(false);
  ws.read_message_max(32 * 1024 * 1024);
  beast::get_lowest_layer(ws).expires_never();
  auto [aec] = co_await ws.async_accept(hreq, kTuple);
  if (aec) {
    co_return;
  }
  char ready_channel = want_stdout ? 1 : want_stderr ? 2 : 3;
  co_await ws.async_write(net::buffer(&ready_channel, 1), kTuple);

  auto finish = [&ws](std::string frame) -> awaitable<void> {
    co_await ws.async_write(net::buffer(frame), kTuple);
    websocket::stream_base::timeout closing{std::chrono::seconds(2),
                                            websocket::stream_base::none(), false};
    ws.set_option(closing);
    // Send close 1000 and drop the connection without waiting for the client's reply.
    websocket::close_reason reason(websocket::close_code::normal);
    co_await ws.async_close(reason, kTuple);
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws).close();
  };
  if (!target) {
    std::string frame = status_frame(internal_status("unable to upgrade connection: " + not_running));
    co_await finish(std::move(frame));
    co_return;
  }

  // Pipes: parent ends non-blocking for asio, child ends handed to the process.
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  bool pipes_ok = (!want_stdin || pipe2(in_pipe, O_CLOEXEC) == 0) &&
                  (!want_stdout || pipe2(out_pipe, O_CLOEXEC) == 0) &&
                  (!want_stderr || pipe2(err_pipe, O_CLOEXEC) == 0);
  ExecLaunch launch;
  launch.container = target->container;
  launch.scratch_dir = target->scratch_dir;
  launch.argv = command;
  launch.identity = target->identity;
  launch.stdin_fd = in_pipe[0];
  launch.stdout_fd = out_pipe[1];
  launch.stderr_fd = tty ? out_pipe[1] : err_pipe[1];
  core::Result<pid_t> pid = pipes_ok ? launch_exec(launch)
                                     : core::Result<pid_t>(core::unexpected(
                                           core::ErrorCode::Io, "cannot create pipes"));
  for (int fd : {in_pipe[0], out_pipe[1], err_pipe[1]}) {
    if (fd >= 0) close(fd);
  }
  auto ex = co_await net::this_coro::executor;
  net::posix::stream_descriptor stdin_d(ex), stdout_d(ex), stderr_d(ex);
  if (in_pipe[1] >= 0) {
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    stdin_d.assign(in_pipe[1]);
  }
  if (out_pipe[0] >= 0) stdout_d.assign(out_pipe[0]);
  if (err_pipe[0] >= 0) stderr_d.assign(err_pipe[0]);
  if (!pid) {
    std::string frame = status_frame(internal_status(pid.error().message));
    co_await finish(std::move(frame));
    co_return;
  }
  st.runtime->track_exec(*pid, target->pod);

  OutChannel out(ex, 4);
  int pumps = (out_pipe[0] >= 0) + (err_pipe[0] >= 0);
  bool write_failed = false;
  bool ending = false;  // the process exited: the session ends on our side
  int exit_code = -1;
  PodRuntime* runtime = st.runtime.get();
  auto output = [&]() -> awaitable<void> {
    using namespace net::experimental::awaitable_operators;
    auto pumps_and_writer = [&]() -> awaitable<void> {
      if (out_pipe[0] >= 0 && err_pipe[0] >= 0) {
        co_await (pump(stdout_d, 1, out) && pump(stderr_d, 2, out) &&
                  writer(ws, out, pumps, &write_failed, cut_after));
      } else if (out_pipe[0] >= 0) {
        co_await (pump(stdout_d, 1, out) && writer(ws, out, pumps, &write_failed, cut_after));
      } else if (err_pipe[0] >= 0) {
        co_await (pump(stderr_d, 2, out) && writer(ws, out, pumps, &write_failed, cut_after));
      }
    };
    co_await pumps_and_writer();
    exit_code = co_await runtime->wait_exit(*pid);
    runtime->untrack_exec(*pid);
    ending = true;
    if (!write_failed) {
      // Written while the client reader is still pending: a WebSocket read is not reliably
      // cancellable, so the session ends by closing, which completes that read.
      // Built in its own statement: GCC 12 mishandles temporaries of a conditional
      // expression inside a co_await argument (it crashed here).
      std::string frame =
          status_frame(exit_code == 0 ? success_status() : exit_status(command, exit_code));
      co_await finish(std::move(frame));
    } else {
      beast::get_lowest_layer(ws).close();
    }
  };
  net::posix::stream_descriptor* input = stdin_d.is_open() ? &stdin_d : nullptr;
  auto client = [&]() -> awaitable<void> {
    co_await client_reader(ws, input, v5);
    if (ending) {
      co_return;  // the session is being closed by us, after the process exited
    }
    // The client went away first. Like containerd, leave the process running: it sees EOF
    // on stdin, and its output is read and dropped from now on (a full pipe would otherwise
    // stop it). Closing the socket makes a write in progress fail at once.
    write_failed = true;
    boost::system::error_code ignored;
    if (input != nullptr) {
      input->close(ignored);
    }
    beast::get_lowest_layer(ws).close();
    ++st.abandoned_execs;
  };
  {
    using namespace net::experimental::awaitable_operators;
    co_await (output() && client());
  }
}

}  // namespace stillpoint::kubesim
