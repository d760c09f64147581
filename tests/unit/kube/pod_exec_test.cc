// WebSocketPodExec against kubesim: real TLS, real upgrade, a real process in a (virtual)
// pod: exit codes, stdout/stderr, stdin to EOF, output caps, refusals, and a timeout that
// closes the stream (the remote process runs on, as with containerd).
#include <signal.h>

#include <thread>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "core/documents.h"
#include "kube/connection_factory.h"
#include "kube/websocket_pod_exec.h"
#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
using core::ErrorCode;
using testing::KubesimEnv;

void create_virtual_pod(KubesimEnv& env, HttpClient& client, const std::string& name) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/api/v1/namespaces/default/pods";
  r.content_type = "application/json";
  r.body =
      nlohmann::json{
          {"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name}, {"annotations", {{"kubesim.stillpoint.io/virtual", "true"}}}}},
          {"spec", {{"containers", {{{"name", "app"}, {"image", "x"}}}}}}}
          .dump();
  auto created = env.run(client.request(r));
  ASSERT_TRUE(created) << created.error().message;
}

hooks::ExecRequest request(std::string pod, std::vector<std::string> command) {
  hooks::ExecRequest r;
  r.namespace_name = "default";
  r.pod = std::move(pod);
  r.container = "app";
  r.command = std::move(command);
  return r;
}

class PodExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.started());
    client_ = env_.client();
    create_virtual_pod(env_, *client_, "v");
    exec_ = std::make_unique<WebSocketPodExec>(client_);
  }
  KubesimEnv env_{/*run_pods=*/true};
  std::shared_ptr<HttpClient> client_;
  std::unique_ptr<WebSocketPodExec> exec_;
};

TEST_F(PodExecTest, ExitCodeAndSeparateStreams) {
  auto r = env_.run(exec_->exec(request("v", {"sh", "-c", "echo out; echo err >&2; exit 4"})));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->stdout_data, "out\n");
  EXPECT_EQ(r->stderr_data, "err\n");
  auto ok = env_.run(exec_->exec(request("v", {"true"})));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->exit_code, 0);
}

// stdin reaches the process and is closed (v5 FF 00), so `wc -c` finishes and counts it all.
TEST_F(PodExecTest, StdinIsDeliveredAndClosed) {
  auto req = request("v", {"wc", "-c"});
  req.stdin_data = std::string(100 * 1024 + 7, 'x');
  auto r = env_.run(exec_->exec(req));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_data, "102407\n");
}

// Streamed stdout: every byte reaches the sink in order, none is captured, and the output cap
// does not apply (volume data is gigabytes).
TEST_F(PodExecTest, StdoutStreamsToSinkInOrder) {
  auto req = request("v", {"sh", "-c", "seq 1 300000; echo done >&2"});
  req.output_limit = 10;
  std::string received;
  size_t calls = 0;
  req.stdout_sink = [&](std::string_view piece) -> asio::awaitable<core::Status> {
    received.append(piece);
    ++calls;
    co_return core::ok();
  };
  auto r = env_.run(exec_->exec(req));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(r->stdout_data.empty());
  EXPECT_EQ(r->stderr_data, "done\n");
  std::string expected;
  for (int i = 1; i <= 300000; ++i) expected += std::to_string(i) + "\n";
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected);
  EXPECT_GT(calls, 1u);
}

// A sink that fails ends the session: the remote process is killed, the sink's error is the
// result (a full backup location must not look like a finished copy).
TEST_F(PodExecTest, SinkErrorEndsTheSession) {
  auto req = request("v", {"sh", "-c", "while true; do head -c 65536 /dev/zero; done"});
  size_t seen = 0;
  req.stdout_sink = [&](std::string_view piece) -> asio::awaitable<core::Status> {
    seen += piece.size();
    if (seen > 1 << 20) co_return core::unexpected(ErrorCode::Internal, "disk full");
    co_return core::ok();
  };
  auto r = env_.run(exec_->exec(req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "disk full");
}

// Streamed stdin: pieces larger than one message are split, all arrive, stdin is closed at the
// empty piece so the process ends.
TEST_F(PodExecTest, StdinStreamsFromSource) {
  auto req = request("v", {"sh", "-c", "cksum"});
  int pieces = 0;
  std::string all;
  req.stdin_source = [&]() -> asio::awaitable<core::Result<std::string>> {
    if (pieces == 40) co_return std::string();
    std::string piece(100 * 1024 + pieces, static_cast<char>('a' + pieces % 26));
    all += piece;
    ++pieces;
    co_return piece;
  };
  auto r = env_.run(exec_->exec(req));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  auto local = request("v", {"cksum"});
  local.stdin_data = all;
  auto expected = env_.run(exec_->exec(local));
  ASSERT_TRUE(expected) << expected.error().message;
  EXPECT_EQ(r->stdout_data, expected->stdout_data);
  EXPECT_NE(r->stdout_data.find(std::to_string(all.size())), std::string::npos) << r->stdout_data;
}

TEST_F(PodExecTest, SourceErrorEndsTheSession) {
  auto req = request("v", {"sh", "-c", "cat > /dev/null; echo finished"});
  int pieces = 0;
  req.stdin_source = [&]() -> asio::awaitable<core::Result<std::string>> {
    if (++pieces > 3) co_return core::unexpected(ErrorCode::Io, "checksum mismatch");
    co_return std::string(1000, 'x');
  };
  auto r = env_.run(exec_->exec(req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Io);
  EXPECT_EQ(r.error().message, "checksum mismatch");
}

TEST_F(PodExecTest, OutputIsCappedPerStream) {
  auto req = request("v", {"sh", "-c", "head -c 200000 /dev/zero; echo tail >&2"});
  req.output_limit = 1000;
  auto r = env_.run(exec_->exec(req));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stdout_data.size(), 1000u);
  EXPECT_TRUE(r->stdout_truncated);
  EXPECT_EQ(r->stderr_data, "tail\n");
  EXPECT_FALSE(r->stderr_truncated);
}

TEST_F(PodExecTest, MissingPodAndContainerAreErrors) {
  auto missing = env_.run(exec_->exec(request("nope", {"true"})));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound) << missing.error().message;
  EXPECT_NE(missing.error().message.find("pods \"nope\" not found"), std::string::npos)
      << missing.error().message;
  auto req = request("v", {"true"});
  req.container = "sidecar";
  auto bad = env_.run(exec_->exec(req));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument) << bad.error().message;
}

using Raced = std::variant<core::Result<hooks::ExecResult>, std::monostate>;
asio::awaitable<Raced> exec_with_timeout(WebSocketPodExec* exec,
                                         hooks::ExecRequest req,
                                         std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  co_return co_await (exec->exec(std::move(req)) || timer.async_wait(asio::use_awaitable));
}

bool process_gone(pid_t pid, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::kill(pid, 0) != 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A timeout racing the exec closes the stream. As with containerd, that does not stop the
// remote process (kubesim keeps it running, hooks::stop_timed_out_command stops hooks): it
// is still there after the stream closed, until it is killed.
TEST_F(PodExecTest, TimeoutClosesStreamButTheRemoteProcessRunsOn) {
  const std::string pid_file = env_.dir().file("pid");
  auto req = request("v", {"sh", "-c", "echo $$ > " + pid_file + "; exec sleep 1000"});
  auto raced = env_.run(exec_with_timeout(exec_.get(), req, std::chrono::milliseconds(500)));
  EXPECT_EQ(raced.index(), 1u);  // the timer won
  auto pid_text = core::read_file(pid_file);
  ASSERT_TRUE(pid_text) << "the command never started";
  const pid_t pid = std::stoi(*pid_text);
  EXPECT_FALSE(process_gone(pid, std::chrono::seconds(2))) << "it died with its stream";
  ::kill(pid, SIGKILL);
  EXPECT_TRUE(process_gone(pid, std::chrono::seconds(10)))
      << "pid " << pid << " still runs: "
      << core::read_file("/proc/" + std::to_string(pid) + "/status").value().substr(0, 200);
}

// Exit codes and output survive many sessions in a row (no state leaks between execs).
TEST_F(PodExecTest, ManySequentialExecs) {
  for (int i = 0; i < 20; ++i) {
    auto r = env_.run(exec_->exec(request(
        "v", {"sh", "-c", "echo " + std::to_string(i) + "; exit " + std::to_string(i % 3)})));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->exit_code, i % 3);
    EXPECT_EQ(r->stdout_data, std::to_string(i) + "\n");
  }
  // Each exec is its own connection; after the first, the TLS session is resumed rather than
  // renegotiated in full (the fixed cost of every hook).
  const ConnectionFactory& factory = client_->connections();
  EXPECT_GE(factory.handshakes(), 20u);
  EXPECT_GE(factory.resumed_handshakes(), factory.handshakes() - 2) << factory.handshakes();
}

}  // namespace
}  // namespace stillpoint::kube
