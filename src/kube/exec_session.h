// One exec session over an already connected stream: WebSocket upgrade offering v5 then v4,
// stdin written while output is read, output demultiplexed by ExecOutput, the exit status
// taken from channel 3. A template over the WebSocket's next layer so that unit tests run it
// on Beast test streams (with fail_count) and production on TLS (websocket_pod_exec.cc).
//
// Internal to src/kube: includes Beast's WebSocket headers; only .cc files and tests use it.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>

#include "core/result.h"
#include "hooks/pod_exec.h"
#include "kube/exec_protocol.h"

namespace stillpoint::kube {

// A live exec stream may be silent for a long time (a hook running a checkpoint); it is
// declared dead only when pings go unanswered this long, as client-go does (61 s).
inline constexpr auto kExecIdleTimeout = std::chrono::seconds(60);
inline constexpr auto kExecHandshakeTimeout = std::chrono::seconds(30);

struct ExecSessionOptions {
  std::string host;    // Host header
  std::string target;  // server prefix + exec_target(request)
  std::optional<std::string> authorization;
  std::string user_agent = "stillpoint";
};

struct ExecSessionOutcome {
  core::Result<hooks::ExecResult> result;
  int handshake_status = 0;  // 101 when upgraded; lets the caller refresh credentials on 401
};

namespace exec_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct ReadEnd {
  bool clean_close = false;
  boost::system::error_code ec;
  core::Status decode = core::ok();
};

// `ws`, `output` and `sink` outlive the call (owned by run_exec_session's frame). With a
// sink, stdout messages go to it, and the next read waits for it: backpressure.
template <class Ws>
asio::awaitable<ReadEnd> read_output(Ws& ws, ExecOutput& output, const hooks::ExecSink& sink) {
  co_await asio::this_coro::throw_if_cancelled(false);
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return ReadEnd{ec == websocket::error::closed, ec, core::ok()};
    }
    const auto data = buffer.cdata();
    const std::string_view message(static_cast<const char*>(data.data()), data.size());
    if (sink && message.size() > 1 && static_cast<unsigned char>(message[0]) == kStdoutChannel) {
      auto status = co_await sink(message.substr(1));
      if (!status) {
        beast::get_lowest_layer(ws).close();  // also stops a stdin writer beside us
        co_return ReadEnd{false, {}, status};
      }
      continue;
    }
    auto status = output.on_message(message);
    if (!status) {
      co_return ReadEnd{false, {}, status};
    }
  }
}

// Where stdin comes from: a string given whole, or a source pulled piece by piece.
struct StdinFeed {
  std::string data;
  size_t offset = 0;
  hooks::ExecSource source;
  core::Status source_status = core::ok();  // the source's error, when it failed
  bool close_at_end = true;  // send v5's close-stdin message after the data (false on v4)

  // The next message's payload; empty at the end (or when the source failed).
  asio::awaitable<std::string> next() {
    if (!source) {
      std::string piece = data.substr(std::min(offset, data.size()), kStdinChunk);
      offset += kStdinChunk;
      co_return piece;
    }
    auto piece = co_await source();
    if (!piece) {
      source_status = core::unexpected(piece.error());
      co_return std::string();
    }
    co_return std::move(*piece);
  }
};

template <class Ws>
asio::awaitable<boost::system::error_code> write_stdin_messages(Ws& ws, StdinFeed& feed) {
  co_await asio::this_coro::throw_if_cancelled(false);
  for (;;) {
    std::string piece = co_await feed.next();
    if (!feed.source_status) {
      co_return asio::error::operation_aborted;
    }
    if (piece.empty()) {
      break;
    }
    // A source may yield more than one message may carry.
    for (size_t offset = 0; offset < piece.size(); offset += kStdinChunk) {
      const std::string message =
          stdin_message(std::string_view(piece).substr(offset, kStdinChunk));
      auto [ec, n] =
          co_await ws.async_write(asio::buffer(message), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        co_return ec;
      }
    }
  }
  if (!feed.close_at_end) {
    co_return boost::system::error_code{};
  }
  const std::string close = close_stdin_message();
  auto [ec, n] = co_await ws.async_write(asio::buffer(close), asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

// Writes stdin in unfragmented messages of at most kStdinChunk, then (v5) FF 00. A failed
// write (or source) closes the socket so that the reader running beside it stops too.
template <class Ws>
asio::awaitable<boost::system::error_code> write_stdin(Ws& ws, StdinFeed& feed) {
  auto ec = co_await write_stdin_messages(ws, feed);
  if (ec) {
    beast::get_lowest_layer(ws).close();
  }
  co_return ec;
}

inline core::Error transport_error(const boost::system::error_code& ec, const char* phase) {
  return core::Error{core::ErrorCode::Unavailable,
                     std::string("exec: ") + phase + ": " + ec.message()};
}

}  // namespace exec_detail

namespace exec_detail {

// The session itself; writes its outcome to `*out`. `ws` and `out` outlive the call.
template <class NextLayer>
asio::awaitable<void> session_body(websocket::stream<NextLayer>& ws,
                                   ExecSessionOptions options,
                                   hooks::ExecRequest request,
                                   std::optional<ExecSessionOutcome>* out) {
  co_await asio::this_coro::throw_if_cancelled(false);
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kExecHandshakeTimeout;
  timeouts.idle_timeout = kExecIdleTimeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator(
      [auth = options.authorization, agent = options.user_agent](websocket::request_type& r) {
        r.set(beast::http::field::sec_websocket_protocol, kExecSubprotocols);
        r.set(beast::http::field::user_agent, agent);
        if (auth) {
          r.set(beast::http::field::authorization, *auth);
        }
      }));
  ws.auto_fragment(false);  // the server reads one frame as one message
  ws.binary(true);

  websocket::response_type response;
  auto [hec] = co_await ws.async_handshake(response, options.host, options.target,
                                           asio::as_tuple(asio::use_awaitable));
  const int http_status = static_cast<int>(response.result_int());
  if (hec) {
    if (hec == websocket::error::upgrade_declined && http_status != 0) {
      out->emplace(ExecSessionOutcome{
          core::unexpected(handshake_error(http_status, response.body())), http_status});
    } else {
      out->emplace(
          ExecSessionOutcome{core::unexpected(transport_error(hec, "handshake")), http_status});
    }
    co_return;
  }
  auto protocol = negotiated_protocol(response[beast::http::field::sec_websocket_protocol]);
  if (!protocol) {
    out->emplace(ExecSessionOutcome{core::unexpected(protocol.error()), http_status});
    co_return;
  }
  const bool has_stdin = request.stdin_data || request.stdin_source;
  // v4 has no way to close stdin. A command that stops reading on its own after a known length
  // (stdin_self_delimited) does not need it: the restore of volume data on a 1.20 cluster.
  if (has_stdin && *protocol == ExecProtocol::V4 && !request.stdin_self_delimited) {
    out->emplace(ExecSessionOutcome{
        core::unexpected(core::ErrorCode::InvalidArgument,
                         "exec: the server speaks v4.channel.k8s.io (Kubernetes before 1.30, or "
                         "1.29 without TranslateStreamCloseWebsocketRequests), which cannot "
                         "close stdin; commands that read stdin need v5"),
        http_status});
    co_return;
  }

  ExecOutput output(request.output_limit);
  ReadEnd end;
  StdinFeed feed;
  if (has_stdin) {
    using namespace boost::asio::experimental::awaitable_operators;
    feed.source = std::move(request.stdin_source);
    feed.close_at_end = *protocol != ExecProtocol::V4;
    if (request.stdin_data) feed.data = std::move(*request.stdin_data);
    auto both =
        co_await (write_stdin(ws, feed) && read_output(ws, output, request.stdout_sink));
    end = std::get<1>(both);
  } else {
    end = co_await read_output(ws, output, request.stdout_sink);
  }
  if (!feed.source_status) {
    out->emplace(ExecSessionOutcome{core::unexpected(feed.source_status.error()), http_status});
    co_return;
  }
  if (!end.decode) {
    out->emplace(ExecSessionOutcome{core::unexpected(end.decode.error()), http_status});
    co_return;
  }
  if (!output.status_received() && end.ec == beast::error::timeout) {
    out->emplace(ExecSessionOutcome{
        core::unexpected(core::ErrorCode::Unavailable,
                         "exec: no response to keep-alive pings; the connection is dead"),
        http_status});
    co_return;
  }
  // After the status the server drops TCP without waiting for our close: that is normal.
  out->emplace(
      ExecSessionOutcome{output.finish(end.clean_close || output.status_received()), http_status});
}

// Waits until cancelled (by the caller's cancellation or because the session ended), then
// closes the socket. Closing ends the session (not the remote process, which the container
// runtime keeps running; hooks/timed_out_command.h stops it), and it also wakes operations of
// streams that cannot be cancelled themselves.
template <class NextLayer>
asio::awaitable<void> close_when_cancelled(websocket::stream<NextLayer>& ws) {
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::steady_timer forever(co_await asio::this_coro::executor);
  forever.expires_at(asio::steady_timer::time_point::max());
  co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
  beast::get_lowest_layer(ws).close();
}

}  // namespace exec_detail

// Runs the session on `ws`, whose next layer is connected (and TLS-handshaken); `ws` outlives
// the call. Completes with PodExec's contract; on cancellation the socket is closed, which
// ends the remote session (the remote process may run on), and the result is Cancelled.
template <class NextLayer>
boost::asio::awaitable<ExecSessionOutcome> run_exec_session(
    boost::beast::websocket::stream<NextLayer>& ws,
    ExecSessionOptions options,
    hooks::ExecRequest request) {
  namespace asio = boost::asio;
  using namespace boost::asio::experimental::awaitable_operators;
  co_await asio::this_coro::throw_if_cancelled(false);
  std::optional<ExecSessionOutcome> out;
  co_await (exec_detail::session_body(ws, std::move(options), std::move(request), &out) ||
            exec_detail::close_when_cancelled(ws));
  boost::beast::get_lowest_layer(ws).close();
  const auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none || !out) {
    co_return ExecSessionOutcome{core::unexpected(core::ErrorCode::Cancelled, "exec: cancelled"),
                                 out ? out->handshake_status : 0};
  }
  co_return std::move(*out);
}

}  // namespace stillpoint::kube
