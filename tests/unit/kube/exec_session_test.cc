// The exec session on Beast test streams against a scripted WebSocket server: the upgrade
// request, stdin messages and the v5 close, demultiplexed output and exit codes, refusals,
// cancellation closing the stream, and a transport failure injected at every step
// (fail_count) ending in an error, never a crash or a hang.
#include "kube/exec_session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using beast::test::stream;
using core::ErrorCode;

std::string msg(unsigned char channel, std::string_view data) {
  return std::string(1, static_cast<char>(channel)) + std::string(data);
}

const std::string kSuccess = msg(3, R"({"metadata":{},"status":"Success"})");
std::string exit_status(int code) {
  return msg(
      3,
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: x","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":")" +
          std::to_string(code) + R"("}]}})");
}

struct Script {
  std::string protocol = "v5.channel.k8s.io";
  int refuse_status = 0;  // non-zero: answer the upgrade with this status and body
  std::string refuse_body;
  bool read_stdin = false;  // read client messages until FF 00 before sending `frames`
  std::vector<std::string> frames = {msg(1, "")};
  bool hang = false;  // after `frames`, wait for the client to go away
};

struct Seen {
  std::string method;
  std::string target;
  std::string protocols;
  std::string authorization;
  std::vector<std::string> messages;
  bool single_frames = true;
  bool client_went_away = false;
};

struct RawFrame {
  bool fin = false;
  int opcode = 0;
  bool masked = false;
  std::string payload;
};

// Parses one RFC 6455 frame from the front of `pending`, unmasking it; nullopt if incomplete.
std::optional<RawFrame> parse_frame(std::string& pending) {
  if (pending.size() < 2) {
    return std::nullopt;
  }
  const auto b0 = static_cast<unsigned char>(pending[0]);
  const auto b1 = static_cast<unsigned char>(pending[1]);
  size_t pos = 2;
  uint64_t len = b1 & 0x7f;
  if (len == 126 || len == 127) {
    const size_t n = len == 126 ? 2 : 8;
    if (pending.size() < pos + n) {
      return std::nullopt;
    }
    len = 0;
    for (size_t i = 0; i < n; ++i) {
      len = (len << 8) | static_cast<unsigned char>(pending[pos + i]);
    }
    pos += n;
  }
  const bool masked = (b1 & 0x80) != 0;
  unsigned char key[4] = {0, 0, 0, 0};
  if (masked) {
    if (pending.size() < pos + 4) {
      return std::nullopt;
    }
    for (int i = 0; i < 4; ++i) {
      key[i] = static_cast<unsigned char>(pending[pos + i]);
    }
    pos += 4;
  }
  if (pending.size() < pos + len) {
    return std::nullopt;
  }
  RawFrame f{(b0 & 0x80) != 0, b0 & 0x0f, masked, pending.substr(pos, len)};
  for (size_t i = 0; i < f.payload.size(); ++i) {
    f.payload[i] = static_cast<char>(f.payload[i] ^ key[i % 4]);
  }
  pending.erase(0, pos + len);
  return f;
}

asio::awaitable<std::optional<RawFrame>> read_raw_frame(stream& s, std::string& pending) {
  for (;;) {
    if (auto f = parse_frame(pending)) {
      co_return f;
    }
    char buf[65536];
    auto [ec, n] =
        co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return std::nullopt;
    }
    pending.append(buf, n);
  }
}

asio::awaitable<void> fake_server(stream s, Script script, Seen* seen) {
  co_await asio::this_coro::throw_if_cancelled(false);
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  auto [rec, rn] = co_await http::async_read(s, buffer, req, asio::as_tuple(asio::use_awaitable));
  if (rec) {
    co_return;
  }
  seen->method = std::string(req.method_string());
  seen->target = std::string(req.target());
  seen->protocols = std::string(req[http::field::sec_websocket_protocol]);
  seen->authorization = std::string(req[http::field::authorization]);
  if (script.refuse_status != 0) {
    http::response<http::string_body> res{static_cast<http::status>(script.refuse_status), 11};
    res.body() = script.refuse_body;
    res.prepare_payload();
    co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
    s.close();
    co_return;
  }
  websocket::stream<stream> ws(std::move(s));
  ws.set_option(
      websocket::stream_base::decorator([p = script.protocol](websocket::response_type& r) {
        r.set(http::field::sec_websocket_protocol, p);
      }));
  auto [aec] = co_await ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
  if (aec) {
    co_return;
  }
  ws.binary(true);
  if (script.read_stdin) {
    // Client frames are read raw, so the test sees exactly what went on the wire: one FIN
    // binary frame per message, masked.
    std::string pending;
    for (;;) {
      auto frame = co_await read_raw_frame(ws.next_layer(), pending);
      if (!frame) {
        seen->client_went_away = true;
        co_return;
      }
      seen->single_frames =
          seen->single_frames && frame->fin && frame->opcode == 2 && frame->masked;
      seen->messages.push_back(frame->payload);
      if (frame->payload == std::string("\xff\x00", 2)) {
        break;
      }
    }
  }
  for (const std::string& f : script.frames) {
    auto [ec, n] = co_await ws.async_write(asio::buffer(f), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return;
    }
  }
  if (script.hang) {
    beast::flat_buffer b;
    auto [ec, n] = co_await ws.async_read(b, asio::as_tuple(asio::use_awaitable));
    seen->client_went_away = static_cast<bool>(ec);
    co_return;
  }
  co_await ws.async_close(websocket::close_code::normal, asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<ExecSessionOutcome> client_session(stream s, hooks::ExecRequest request) {
  websocket::stream<stream> ws(std::move(s));
  ExecSessionOptions options;
  options.host = "127.0.0.1:6443";
  options.target = exec_target(request);
  options.authorization = "Bearer test-token";
  co_return co_await run_exec_session(ws, std::move(options), std::move(request));
}

template <class T>
asio::awaitable<void> store(asio::awaitable<T> op, std::optional<T>* out) {
  out->emplace(co_await std::move(op));
}

hooks::ExecRequest request(std::vector<std::string> command) {
  hooks::ExecRequest r;
  r.namespace_name = "default";
  r.pod = "web-0";
  r.container = "app";
  r.command = std::move(command);
  return r;
}

ExecSessionOutcome run(Script script,
                       hooks::ExecRequest req,
                       Seen* seen,
                       beast::test::fail_count* fc = nullptr) {
  asio::io_context io;
  stream client = fc ? stream(io, *fc) : stream(io);
  stream server(io);
  client.connect(server);
  std::optional<ExecSessionOutcome> out;
  asio::co_spawn(io, fake_server(std::move(server), std::move(script), seen), asio::detached);
  asio::co_spawn(io, store(client_session(std::move(client), std::move(req)), &out),
                 asio::detached);
  io.run();
  return std::move(*out);
}

// The upgrade is a GET offering v5 then v4 in one header line, with the credential.
TEST(ExecSession, UpgradeRequestAndOutput) {
  Seen seen;
  Script script;
  script.frames = {msg(1, ""), msg(1, "hello "), msg(2, "oops\n"), msg(1, "world\n"),
                   exit_status(3)};
  auto out = run(script, request({"sh", "-c", "echo hello world; exit 3"}), &seen);
  ASSERT_TRUE(out.result) << out.result.error().message;
  EXPECT_EQ(out.handshake_status, 101);
  EXPECT_EQ(out.result->exit_code, 3);
  EXPECT_EQ(out.result->stdout_data, "hello world\n");
  EXPECT_EQ(out.result->stderr_data, "oops\n");
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.protocols, "v5.channel.k8s.io, v4.channel.k8s.io");
  EXPECT_EQ(seen.authorization, "Bearer test-token");
  EXPECT_EQ(
      seen.target.rfind("/api/v1/namespaces/default/pods/web-0/exec?command=sh&command=-c", 0), 0u);
}

// stdin goes as channel-0 messages of at most 32 KiB, each one unfragmented frame, then the
// v5 close FF 00; v4 servers cannot close stdin, so stdin is refused there.
TEST(ExecSession, StdinMessagesThenV5Close) {
  Seen seen;
  Script script;
  script.read_stdin = true;
  script.frames = {msg(1, ""), msg(1, "got it"), kSuccess};
  auto req = request({"cat"});
  req.stdin_data = std::string(40 * 1024, 'x');
  auto out = run(script, req, &seen);
  ASSERT_TRUE(out.result) << out.result.error().message;
  EXPECT_EQ(out.result->exit_code, 0);
  ASSERT_EQ(seen.messages.size(), 3u);
  EXPECT_EQ(seen.messages[0], msg(0, std::string(32 * 1024, 'x')));
  EXPECT_EQ(seen.messages[1], msg(0, std::string(8 * 1024, 'x')));
  EXPECT_EQ(seen.messages[2], std::string("\xff\x00", 2));
  EXPECT_TRUE(seen.single_frames);

  Seen v4_seen;
  Script v4;
  v4.protocol = "v4.channel.k8s.io";
  auto v4_out = run(v4, req, &v4_seen);
  ASSERT_FALSE(v4_out.result);
  EXPECT_EQ(v4_out.result.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(v4_out.result.error().message.find("cannot close stdin"), std::string::npos);

  Seen v4_plain;
  v4.frames = {msg(1, ""), exit_status(1)};
  auto plain = run(v4, request({"false"}), &v4_plain);  // without stdin v4 is fine
  ASSERT_TRUE(plain.result) << plain.result.error().message;
  EXPECT_EQ(plain.result->exit_code, 1);
}

// Refused upgrades become PodExec errors; an echoed protocol that was not offered too.
TEST(ExecSession, RefusalsAreErrors) {
  struct Case {
    std::string name;
    Script script;
    ErrorCode code;
  };
  std::vector<Case> cases;
  Script s;
  s.refuse_status = 404;
  s.refuse_body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web-0\" not found","reason":"NotFound","code":404})";
  cases.push_back({"pod missing", s, ErrorCode::NotFound});
  s.refuse_status = 403;
  s.refuse_body = "";
  cases.push_back({"no common subprotocol", s, ErrorCode::Protocol});
  s.refuse_status = 500;
  s.refuse_body = "container not found (\"app\")";
  cases.push_back({"v4 not running", s, ErrorCode::InvalidArgument});
  Script bad_protocol;
  bad_protocol.protocol = "channel.k8s.io";
  cases.push_back({"unoffered protocol", bad_protocol, ErrorCode::Protocol});
  Script v5_not_running;
  v5_not_running.frames = {
      msg(1, ""),
      msg(3,
          R"j({"metadata":{},"status":"Failure","message":"Internal error occurred: unable to upgrade connection: container not found (\"app\")","reason":"InternalError","code":500})j")};
  cases.push_back({"v5 not running", v5_not_running, ErrorCode::InvalidArgument});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Seen seen;
    auto out = run(c.script, request({"true"}), &seen);
    ASSERT_FALSE(out.result);
    EXPECT_EQ(out.result.error().code, c.code) << out.result.error().message;
  }
}

using Raced = std::variant<ExecSessionOutcome, std::monostate>;

asio::awaitable<Raced> race_with_timer(stream c, hooks::ExecRequest req) {
  using namespace boost::asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
  co_return co_await (client_session(std::move(c), std::move(req)) ||
                      timer.async_wait(asio::use_awaitable));
}

// Cancelling the session (a timeout racing it) closes the stream: the server sees its client
// go away and the session completes with Cancelled.
TEST(ExecSession, CancellationClosesTheStream) {
  using namespace boost::asio::experimental::awaitable_operators;
  asio::io_context io;
  stream client(io);
  stream server(io);
  client.connect(server);
  Seen seen;
  Script script;
  script.hang = true;
  asio::co_spawn(io, fake_server(std::move(server), script, &seen), asio::detached);
  std::optional<Raced> out;
  asio::co_spawn(io, store(race_with_timer(std::move(client), request({"sleep", "1000"})), &out),
                 asio::detached);
  io.run();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->index(), 1u);  // the timer won
  EXPECT_TRUE(seen.client_went_away);
}

// A transport failure at any step of the session (fail_count) ends in an error — never a
// crash, a hang or a made-up exit code — and enough steps succeed.
TEST(ExecSession, FailureInjectedAtEveryStep) {
  Script script;
  script.read_stdin = true;
  script.frames = {msg(1, ""), msg(1, "out"), exit_status(7)};
  auto req = request({"cat"});
  req.stdin_data = "data";
  bool succeeded = false;
  int failures = 0;
  for (int n = 1; n < 100 && !succeeded; ++n) {
    SCOPED_TRACE(n);
    beast::test::fail_count fc(n);
    Seen seen;
    auto out = run(script, req, &seen, &fc);
    if (out.result) {
      EXPECT_EQ(out.result->exit_code, 7);
      EXPECT_EQ(out.result->stdout_data, "out");
      succeeded = true;
    } else {
      ++failures;
      EXPECT_TRUE(out.result.error().code == ErrorCode::Unavailable ||
                  out.result.error().code == ErrorCode::Protocol)
          << out.result.error().message;
    }
  }
  EXPECT_TRUE(succeeded);
  EXPECT_GE(failures, 5);  // handshake write/read, stdin writes, output reads all failed once
}

}  // namespace
}  // namespace stillpoint::kube
