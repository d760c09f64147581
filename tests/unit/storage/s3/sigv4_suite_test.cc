// SigV4 against AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite:
// credentials AKIDEXAMPLE, region us-east-1, service "service", 20150830T123600Z).
//
// Where each expected value comes from:
// - Authorization headers: aws/aws-sdk-js-v3, packages/signature-v4/src/suite.fixture.ts
//   (commit 0574f9a135c97b2cd989a2fb6f3e9effdc236696), the SDK's copy of the suite.
// - get-vanilla-with-session-token (token and Authorization): awslabs/aws-c-auth,
//   tests/aws-signing-test-suite/v4/get-vanilla-with-session-token/context.json and
//   header-signed-request.txt.
// - Canonical requests and string-to-sign hashes: the suite's .creq / .sts files, as
//   reproduced in third-party copies of the suite (e.g. a copy of botocore's
//   tests/unit/auth/aws4_testsuite). They are cross-checked here: a transcription error in
//   them would also break the signature, which comes from the AWS-owned sources above.
// - post-sts-header-before (suite folder post-sts-token/): the same third-party copies; its
//   signature 85d96828... agrees across several independent copies.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "storage/s3/sigv4.h"

namespace stillpoint::storage::s3 {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono;

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const auto kSuiteTime = sys_days{2015y / 8 / 30} + 12h + 36min;
constexpr const char* kSuiteScope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
constexpr const char* kUnreserved =
    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr const char* kSessionToken =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
constexpr const char* kStsToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfp"
    "SPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQ"
    "DYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+s"
    "cqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct SuiteCase {
  const char* name;
  std::string method;
  std::string path;
  Pairs query;
  Pairs headers;  // besides Host and X-Amz-Date, which sign() adds
  std::string body;
  std::string token;
  std::string canonical;  // "" where no .creq was at hand
  std::string sts_hash;   // last line of the .sts; "" where none was at hand
  std::string authorization;
};

std::string creq(std::string method,
                 std::string query,
                 std::string extra_headers,
                 std::string signed_headers,
                 std::string payload_hash) {
  return method + "\n/\n" + query + "\nhost:example.amazonaws.com\n" + extra_headers +
         "x-amz-date:20150830T123600Z\n\n" + signed_headers + "\n" + payload_hash;
}

std::string authz(std::string signed_headers, std::string signature) {
  return std::string("AWS4-HMAC-SHA256 Credential=") + kSuiteScope +
         ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
}

const std::string kEmpty(kEmptyPayloadSha256);

std::vector<SuiteCase> suite_cases() {
  return {
      {"get-vanilla",
       "GET",
       "/",
       {},
       {},
       "",
       "",
       creq("GET", "", "", "host;x-amz-date", kEmpty),
       "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-vanilla-query-order-key-case",
       "GET",
       "/",
       {{"Param2", "value2"}, {"Param1", "value1"}},
       {},
       "",
       "",
       creq("GET", "Param1=value1&Param2=value2", "", "host;x-amz-date", kEmpty),
       "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
       authz("host;x-amz-date",
             "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")},
      {"get-vanilla-query-unreserved",
       "GET",
       "/",
       {{kUnreserved, kUnreserved}},
       {},
       "",
       "",
       creq("GET", std::string(kUnreserved) + "=" + kUnreserved, "", "host;x-amz-date", kEmpty),
       "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
       authz("host;x-amz-date",
             "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")},
      {"get-vanilla-utf8-query",
       "GET",
       "/",
       {{"\xE1\x88\xB4", "bar"}},
       {},
       "",
       "",
       creq("GET", "%E1%88%B4=bar", "", "host;x-amz-date", kEmpty),
       "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
       authz("host;x-amz-date",
             "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")},
      {"get-vanilla-empty-query-key",
       "GET",
       "/",
       {{"Param1", "value1"}},
       {},
       "",
       "",
       "",
       "",
       authz("host;x-amz-date",
             "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb")},
      {"get-unreserved",
       "GET",
       std::string("/") + kUnreserved,
       {},
       {},
       "",
       "",
       "",
       "",
       authz("host;x-amz-date",
             "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")},
      {"get-header-value-trim",
       "GET",
       "/",
       {},
       {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
       "",
       "",
       creq("GET", "", "my-header1:value1\nmy-header2:\"a b c\"\n",
            "host;my-header1;my-header2;x-amz-date", kEmpty),
       "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
       authz("host;my-header1;my-header2;x-amz-date",
             "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")},
      {"get-header-key-duplicate",
       "GET",
       "/",
       {},
       {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
       "",
       "",
       creq("GET", "", "my-header1:value2,value2,value1\n", "host;my-header1;x-amz-date", kEmpty),
       "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
       authz("host;my-header1;x-amz-date",
             "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")},
      {"get-header-value-order",
       "GET",
       "/",
       {},
       {{"My-Header1", "value4"},
        {"My-Header1", "value1"},
        {"My-Header1", "value3"},
        {"My-Header1", "value2"}},
       "",
       "",
       "",
       "",
       authz("host;my-header1;x-amz-date",
             "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")},
      {"post-vanilla",
       "POST",
       "/",
       {},
       {},
       "",
       "",
       creq("POST", "", "", "host;x-amz-date", kEmpty),
       "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
       authz("host;x-amz-date",
             "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")},
      {"post-vanilla-query",
       "POST",
       "/",
       {{"Param1", "value1"}},
       {},
       "",
       "",
       creq("POST", "Param1=value1", "", "host;x-amz-date", kEmpty),
       "",
       authz("host;x-amz-date",
             "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")},
      {"post-header-key-sort",
       "POST",
       "/",
       {},
       {{"My-Header1", "value1"}},
       "",
       "",
       "",
       "",
       authz("host;my-header1;x-amz-date",
             "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c")},
      {"post-header-value-case",
       "POST",
       "/",
       {},
       {{"My-Header1", "VALUE1"}},
       "",
       "",
       "",
       "",
       authz("host;my-header1;x-amz-date",
             "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d")},
      {"post-x-www-form-urlencoded",
       "POST",
       "/",
       {},
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "Param1=value1",
       "",
       "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
       authz("content-type;host;x-amz-date",
             "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")},
      {"post-x-www-form-urlencoded-parameters",
       "POST",
       "/",
       {},
       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
       "Param1=value1",
       "",
       "",
       "2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c",
       authz("content-type;host;x-amz-date",
             "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe")},
      {"get-vanilla-with-session-token",
       "GET",
       "/",
       {},
       {},
       "",
       kSessionToken,
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
       "x-amz-security-token:" +
           std::string(kSessionToken) + "\n\nhost;x-amz-date;x-amz-security-token\n" + kEmpty,
       "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
       authz("host;x-amz-date;x-amz-security-token",
             "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")},
      {"post-sts-header-before",
       "POST",
       "/",
       {},
       {},
       "",
       kStsToken,
       "",
       "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
       authz("host;x-amz-date;x-amz-security-token",
             "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")},
  };
}

SigningRequest suite_request(const SuiteCase& c) {
  SigningRequest r;
  r.method = c.method;
  r.path = c.path;
  r.query = c.query;
  r.headers = c.headers;
  r.host = "example.amazonaws.com";
  r.payload_sha256 = sha256_hex(c.body);
  r.region = "us-east-1";
  r.service = "service";
  r.time = kSuiteTime;
  return r;
}

std::string header_value(const SignedHeaders& signed_headers, const std::string& name) {
  for (const auto& [n, v] : signed_headers.headers) {
    if (n == name) {
      return v;
    }
  }
  return "<absent>";
}

// Every published case: canonical request, string to sign and Authorization byte for byte.
TEST(SigV4Suite, MatchesAwsPublishedVectors) {
  for (const SuiteCase& c : suite_cases()) {
    SCOPED_TRACE(c.name);
    const SigningRequest request = suite_request(c);
    Pairs all = c.headers;
    all.emplace_back("host", "example.amazonaws.com");
    all.emplace_back("x-amz-date", "20150830T123600Z");
    if (!c.token.empty()) {
      all.emplace_back("x-amz-security-token", c.token);
    }
    const std::string canonical = canonical_request(request, all);
    if (!c.canonical.empty()) {
      EXPECT_EQ(canonical, c.canonical);
    }
    if (!c.sts_hash.empty()) {
      EXPECT_EQ(string_to_sign(request, canonical),
                "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
                    c.sts_hash);
    }
    Credentials credentials = kSuiteCredentials;
    credentials.session_token = c.token;
    const SignedHeaders signed_headers = sign(request, credentials);
    EXPECT_EQ(header_value(signed_headers, "Authorization"), c.authorization);
  }
}

// The generic suite's service is not S3, so sign() must not add x-amz-content-sha256 there
// (it would change every suite signature); it adds host, x-amz-date, the token, Authorization.
TEST(SigV4Suite, SignAddsOnlyTheHeadersTheServiceNeeds) {
  SuiteCase c = suite_cases().front();
  const SignedHeaders plain = sign(suite_request(c), kSuiteCredentials);
  ASSERT_EQ(plain.headers.size(), 3u);
  EXPECT_EQ(plain.headers[0],
            (std::pair<std::string, std::string>{"host", "example.amazonaws.com"}));
  EXPECT_EQ(plain.headers[1],
            (std::pair<std::string, std::string>{"x-amz-date", "20150830T123600Z"}));
  EXPECT_EQ(plain.headers[2].first, "Authorization");

  Credentials with_token = kSuiteCredentials;
  with_token.session_token = kSessionToken;
  const SignedHeaders temporary = sign(suite_request(c), with_token);
  EXPECT_EQ(header_value(temporary, "x-amz-security-token"), kSessionToken);
  EXPECT_EQ(header_value(temporary, "x-amz-content-sha256"), "<absent>");
}

// The signing key of AWS's "derive a signing key" example (IAM, 20150830, us-east-1).
TEST(SigV4Suite, DerivesTheDocumentedSigningKey) {
  EXPECT_EQ(to_hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1",
                               "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

}  // namespace
}  // namespace stillpoint::storage::s3
