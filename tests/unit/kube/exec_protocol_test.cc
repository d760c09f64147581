#include "kube/exec_protocol.h"

#include <gtest/gtest.h>

namespace stillpoint::kube {
namespace {

using core::ErrorCode;

std::string msg(unsigned char channel, std::string_view data) {
  return std::string(1, static_cast<char>(channel)) + std::string(data);
}

// One command= per argv element in order, percent-encoded; container and stdin only when
// asked; stdout and stderr always.
TEST(ExecProtocol, TargetEncodesEveryArgument) {
  hooks::ExecRequest r;
  r.namespace_name = "db";
  r.pod = "pg-0";
  r.container = "app";
  r.command = {"sh", "-c", "cat; exit 3"};
  EXPECT_EQ(exec_target(r),
            "/api/v1/namespaces/db/pods/pg-0/exec?command=sh&command=-c&command=cat%3B%20exit%203"
            "&container=app&stdout=true&stderr=true");
  r.container.clear();
  r.stdin_data = "";
  r.command = {"/bin/true"};
  EXPECT_EQ(exec_target(r),
            "/api/v1/namespaces/db/pods/pg-0/exec?command=%2Fbin%2Ftrue&stdin=true&stdout=true"
            "&stderr=true");
}

TEST(ExecProtocol, NegotiationAcceptsOnlyWhatWasOffered) {
  EXPECT_EQ(*negotiated_protocol("v5.channel.k8s.io"), ExecProtocol::V5);
  EXPECT_EQ(*negotiated_protocol("v4.channel.k8s.io"), ExecProtocol::V4);
  for (const char* p :
       {"", "channel.k8s.io", "v4.base64.channel.k8s.io", "v5.channel.k8s.io, v4"}) {
    SCOPED_TRACE(p);
    EXPECT_EQ(negotiated_protocol(p).error().code, ErrorCode::Protocol);
  }
  EXPECT_EQ(stdin_message("hi\n"), std::string("\0hi\n", 4));
  EXPECT_EQ(close_stdin_message(), std::string("\xff\x00", 2));
}

// Output is demultiplexed by channel; the ready frame is ignored; each stream is capped at
// output_limit and marked truncated; the status channel gives the exit code.
TEST(ExecOutput, DemultiplexesCapsAndReadsExitCode) {
  ExecOutput out(5);
  ASSERT_TRUE(out.on_message(msg(1, "")));  // ready
  ASSERT_TRUE(out.on_message(msg(1, "hel")));
  ASSERT_TRUE(out.on_message(msg(2, "warn\n")));
  ASSERT_TRUE(out.on_message(msg(1, "lo world")));
  ASSERT_TRUE(out.on_message(msg(255, "")));
  ASSERT_TRUE(out.on_message(msg(
      3,
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c cat; exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})")));
  auto r = out.finish(false);  // status, then the server dropped TCP: normal
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stdout_data, "hello");
  EXPECT_TRUE(r->stdout_truncated);
  EXPECT_EQ(r->stderr_data, "warn\n");
  EXPECT_FALSE(r->stderr_truncated);

  EXPECT_EQ(out.on_message("").error().code, ErrorCode::Protocol);
  EXPECT_EQ(out.on_message(msg(7, "x")).error().code, ErrorCode::Protocol);
}

// How a session ended decides the outcome when no status arrived: a clean close means
// success (client-go), a dropped stream means the outcome is unknown.
TEST(ExecOutput, EndWithoutStatus) {
  ExecOutput clean(10);
  EXPECT_EQ(clean.finish(true)->exit_code, 0);
  ExecOutput dropped(10);
  ASSERT_TRUE(dropped.on_message(msg(1, "partial")));
  EXPECT_EQ(dropped.finish(false).error().code, ErrorCode::Unavailable);
}

TEST(ExecOutput, StatusShapes) {
  struct Case {
    std::string name;
    std::string status;
    std::optional<int> exit_code;
    ErrorCode error = ErrorCode::Internal;
  };
  const std::vector<Case> cases = {
      {"success", R"({"metadata":{},"status":"Success"})", 0},
      {"exit 255",
       R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"255"}]}})",
       255},
      {"exit code out of range",
       R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"256"}]}})",
       std::nullopt, ErrorCode::Protocol},
      {"no exit cause", R"({"status":"Failure","reason":"NonZeroExitCode","details":{}})",
       std::nullopt, ErrorCode::Protocol},
      {"container not running (v5)",
       R"j({"metadata":{},"status":"Failure","message":"Internal error occurred: unable to upgrade connection: container not found (\"app\")","reason":"InternalError","details":{"causes":[{"message":"unable to upgrade connection: container not found (\"app\")"}]},"code":500})j",
       std::nullopt, ErrorCode::InvalidArgument},
      {"other internal error",
       R"({"status":"Failure","message":"Internal error occurred: dial tcp: i/o timeout","reason":"InternalError","code":500})",
       std::nullopt, ErrorCode::Unavailable},
      {"not a status", "hello", std::nullopt, ErrorCode::Protocol},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = exit_code_from_status(c.status);
    if (c.exit_code) {
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(*r, *c.exit_code);
    } else {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, c.error) << r.error().message;
    }
  }
}

// Upgrade refusals as the real servers send them become PodExec's error kinds.
TEST(ExecProtocol, HandshakeErrors) {
  EXPECT_EQ(handshake_error(403, "").code, ErrorCode::Protocol);
  EXPECT_EQ(
      handshake_error(
          403,
          R"({"kind":"Status","status":"Failure","message":"pods \"p\" is forbidden","reason":"Forbidden","code":403})")
          .code,
      ErrorCode::Forbidden);
  auto nf = handshake_error(
      404,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web-0\" not found","reason":"NotFound","code":404})");
  EXPECT_EQ(nf.code, ErrorCode::NotFound);
  EXPECT_NE(nf.message.find("pods \"web-0\" not found"), std::string::npos);
  EXPECT_EQ(
      handshake_error(
          400,
          R"({"status":"Failure","message":"container sidecar is not valid for pod web-0","reason":"BadRequest","code":400})")
          .code,
      ErrorCode::InvalidArgument);
  auto not_running = handshake_error(500, "container not found (\"app\")");
  EXPECT_EQ(not_running.code, ErrorCode::InvalidArgument);
  EXPECT_NE(not_running.message.find("container not found"), std::string::npos);
  EXPECT_EQ(handshake_error(502, "bad gateway").code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace stillpoint::kube
