// The radosgw test service itself: it starts, serves S3 with SigV4 checked for real (plain and
// TLS with its own CA), creates buckets, and leaves nothing behind. Requests are signed by
// curl --aws-sigv4 until stillpoint's own client exists.
#include "radosgw_fixture.h"

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stillpoint::s3test {
namespace {

// radosgw refuses a SigV4 request without x-amz-content-sha256 (SignatureDoesNotMatch), and
// curl 7.88 does not add it by itself.
constexpr const char* kUnsignedPayload = "x-amz-content-sha256: UNSIGNED-PAYLOAD";

struct Request {
  std::string method = "GET";
  std::string url;
  std::string secret;
  std::string data;
  std::string ca_file;
};

// Runs curl with SigV4 signing; returns "<body>\n<status>" split into the two.
struct Response {
  int curl_exit = -1;
  int status = 0;
  std::string body;
};

Response signed_request(const RadosGw& gw, const Request& req) {
  std::vector<std::string> argv{"curl",        "-sS",
                                "--max-time",  "20",
                                "-w",          "\n%{http_code}",
                                "-X",          req.method,
                                "-H",          kUnsignedPayload,
                                "--aws-sigv4", "aws:amz:" + gw.region() + ":s3",
                                "--user",      gw.access_key() + ":" + req.secret};
  if (!req.data.empty()) {
    argv.push_back("--data-binary");
    argv.push_back(req.data);
  }
  if (!req.ca_file.empty()) {
    argv.push_back("--cacert");
    argv.push_back(req.ca_file);
  }
  argv.push_back(req.url);
  const CommandOutput out = run_command(argv);
  Response r;
  r.curl_exit = out.exit_code;
  const auto nl = out.output.rfind('\n');
  if (nl != std::string::npos) {
    r.body = out.output.substr(0, nl);
    r.status = std::atoi(out.output.c_str() + nl + 1);
  } else {
    r.body = out.output;
  }
  return r;
}

bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0)
    return errno == ESRCH;
  // A zombie is gone for our purpose: it holds no ports, memory or files.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

// A request signed with the user's secret is served; one signed with another secret is
// refused with 403 SignatureDoesNotMatch.
TEST(RadosGwFixture, ChecksSigV4SignaturesOverHttp) {
  auto gw = shared_radosgw(false);
  ASSERT_TRUE(gw) << gw.error().message;
  const RadosGw& s3 = **gw;
  ASSERT_TRUE(s3.create_bucket("fixture-plain")) << "create_bucket failed";

  const std::string object = s3.endpoint() + "/fixture-plain/hello.txt";
  Response put = signed_request(s3, {"PUT", object, s3.secret_key(), "hello radosgw", ""});
  EXPECT_EQ(put.status, 200) << put.body;
  Response get = signed_request(s3, {"GET", object, s3.secret_key(), "", ""});
  EXPECT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.body, "hello radosgw");

  Response bad = signed_request(s3, {"GET", object, s3.secret_key() + "x", "", ""});
  EXPECT_EQ(bad.status, 403) << bad.body;
  EXPECT_NE(bad.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << bad.body;
}

// Bucket names shorter than S3's minimum are refused before reaching the server, and an
// existing bucket of the same owner can be created again (radosgw answers 200).
TEST(RadosGwFixture, CreateBucketValidatesNamesAndIsIdempotent) {
  auto gw = shared_radosgw(false);
  ASSERT_TRUE(gw) << gw.error().message;
  const auto short_name = (*gw)->create_bucket("ab");
  ASSERT_FALSE(short_name);
  EXPECT_EQ(short_name.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_TRUE((*gw)->create_bucket("fixture-again"));
  EXPECT_TRUE((*gw)->create_bucket("fixture-again"));
}

// With TLS, the HTTPS endpoint presents a certificate for 127.0.0.1 that verifies against
// ca_file() and against nothing else; SigV4 is checked there too.
TEST(RadosGwFixture, ServesHttpsWithItsOwnCa) {
  auto gw = shared_radosgw(true);
  ASSERT_TRUE(gw) << gw.error().message;
  const RadosGw& s3 = **gw;
  ASSERT_FALSE(s3.tls_endpoint().empty());
  ASSERT_TRUE(std::filesystem::exists(s3.ca_file())) << s3.ca_file();
  ASSERT_TRUE(s3.create_bucket("fixture-tls"));

  const std::string object = s3.tls_endpoint() + "/fixture-tls/secret.txt";
  const std::string ca = s3.ca_file().string();
  Response put = signed_request(s3, {"PUT", object, s3.secret_key(), "over tls", ca});
  EXPECT_EQ(put.curl_exit, 0) << put.body;
  EXPECT_EQ(put.status, 200) << put.body;
  Response bad = signed_request(s3, {"GET", object, "wrong-secret", "", ca});
  EXPECT_EQ(bad.status, 403) << bad.body;
  EXPECT_NE(bad.body.find("SignatureDoesNotMatch"), std::string::npos) << bad.body;

  // Without the CA, curl must refuse the certificate (exit 60: peer certificate not verified).
  Response untrusted = signed_request(s3, {"GET", object, s3.secret_key(), "", ""});
  EXPECT_EQ(untrusted.curl_exit, 60) << untrusted.body;
}

// stop() kills every process the script started (mon, OSD, radosgw, watchdog) and removes
// the directory, so back-to-back and parallel tests leave nothing running.
TEST(RadosGwFixture, StopLeavesNoProcessAndNoDirectory) {
  auto started = RadosGw::start(false);
  ASSERT_TRUE(started) << started.error().message;
  std::unique_ptr<RadosGw> gw = std::move(*started);
  const std::filesystem::path dir = gw->dir();
  const std::vector<pid_t> pids = gw->pids();
  EXPECT_EQ(pids.size(), 4u) << "expected ceph-mon, ceph-osd, radosgw and the watchdog";

  const auto stopped = gw->stop();
  ASSERT_TRUE(stopped) << stopped.error().message;
  for (pid_t pid : pids)
    EXPECT_TRUE(process_gone(pid)) << "pid " << pid << " still alive";
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  EXPECT_TRUE(gw->pids().empty());
}

}  // namespace
}  // namespace stillpoint::s3test
